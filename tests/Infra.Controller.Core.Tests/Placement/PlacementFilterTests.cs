using HostState = Infra.Controller.Domain.Model.HostState;
using Infra.Controller.Core.Placement;

namespace Infra.Controller.Core.Tests.Placement;

public sealed class PlacementFilterTests
{
    static readonly PlacementPolicy Strict = new(CpuOvercommit: 1.0, MemoryOvercommit: 1.0, MemoryReserveMiB: 0);

    static HostCapacity Host(string id, int cores = 8, int mhz = 2000, long mem = 32768, HostState state = HostState.Up, bool cordoned = false, params StoragePool[] pools) =>
        new(id, cores, mhz, mem, state, cordoned, pools);

    static PlacementRequest Vm(string id = "vm", int vcpus = 2, long mhz = 1000, long mem = 1024, params StorageNeed[] storage) =>
        new(id, vcpus, mhz, mem, storage);

    [Theory]
    [InlineData(1.0, 6000, true)]
    [InlineData(1.0, 6001, false)]
    [InlineData(2.0, 14000, true)]
    [InlineData(2.0, 14001, false)]
    public void CpuMhzCapacity_IsCoresTimesMhzTimesOvercommit(double ratio, long usedMhz, bool fits)
    {
        // 4 x 2000 MHz x ratio in total; the new VM asks for what one of its cores can deliver.
        var used = new Claim("other", "h", 1, usedMhz, 1024);
        var d = Placer.Decide([Host("h", cores: 4, mhz: 2000)], [used], Vm(mhz: 2000, vcpus: 1), Strict with { CpuOvercommit = ratio });
        Assert.Equal(fits, d.Placed);
        if (!fits) Assert.Contains("1 host lacks CPU", d.Error);
    }

    [Theory]
    [InlineData(1, 2000, true)]
    [InlineData(1, 2001, false)]
    [InlineData(2, 4000, true)]
    public void CpuMhz_AboveVcpusTimesTheRealCoreSpeed_NeverFits_EvenWhenOvercommitScalesTheHost(int vcpus, long mhz, bool fits)
    {
        // A host's own ratio scales MhzPerCore (its MHz capacity); the cores still run at CoreMhz.
        var scaled = Host("h", cores: 4, mhz: 8000) with { CoreMhz = 2000 };
        var d = Placer.Decide([scaled], [], Vm(vcpus: vcpus, mhz: mhz), Strict);
        Assert.Equal(fits, d.Placed);
        if (!fits) Assert.Contains("1 host has cores too slow for 2001 MHz on 1 vCPU(s) (fastest runs 2000 MHz per core)", d.Error);
    }

    [Fact]
    public void Vcpus_AboveHostCores_NeverFit_EvenWithOvercommit()
    {
        var d = Placer.Decide([Host("h", cores: 4)], [], Vm(vcpus: 5), Strict with { CpuOvercommit = 16 });
        Assert.False(d.Placed);
        Assert.Contains("fewer cores than the 5 vcpus", d.Error);
    }

    [Fact]
    public void VcpuThreads_AreCountedAgainstCoresTimesOvercommit()
    {
        var claims = new[] { new Claim("old", "h", 4, 10, 10) };
        Assert.False(Placer.Decide([Host("h", cores: 4)], claims, Vm(vcpus: 1, mhz: 10, mem: 10), Strict).Placed);
        Assert.True(Placer.Decide([Host("h", cores: 4)], claims, Vm(vcpus: 1, mhz: 10, mem: 10), Strict with { CpuOvercommit = 2 }).Placed);
    }

    [Theory]
    [InlineData(2048, 1.0, 14336, true)]
    [InlineData(2048, 1.0, 14337, false)]
    [InlineData(2048, 1.5, 21504, true)]
    [InlineData(0, 1.0, 16384, true)]
    public void Memory_IsTotalMinusReserveTimesOvercommit(long reserve, double ratio, long want, bool fits)
    {
        var policy = Strict with { MemoryReserveMiB = reserve, MemoryOvercommit = ratio };
        Assert.Equal(fits, Placer.Decide([Host("h", mem: 16384)], [], Vm(mem: want), policy).Placed);
    }

    [Fact]
    public void HostReserve_OverridesPolicyReserve()
    {
        var host = Host("h", mem: 16384) with { MemoryReserveMiB = 8192 };
        Assert.False(Placer.Decide([host], [], Vm(mem: 9000), Strict with { MemoryReserveMiB = 0 }).Placed);
    }

    [Fact]
    public void CordonedDownMaintenanceAndSuspectHosts_AreExcluded_AndCounted()
    {
        HostCapacity[] hosts = [Host("c", cordoned: true), Host("d", state: HostState.Down), Host("m", state: HostState.Maintenance), Host("s", state: HostState.Suspect)];
        var d = Placer.Decide(hosts, [], Vm(), Strict);
        Assert.False(d.Placed);
        Assert.Contains("1 host cordoned", d.Error);
        Assert.Contains("1 host down", d.Error);
        Assert.Contains("1 host in maintenance", d.Error);
        Assert.Equal(1, d.Rejections[Rejection.Suspect]);
    }

    [Fact]
    public void Storage_PoolMustExistAndHaveSpace()
    {
        const long GiB = 1L << 30;
        HostCapacity[] hosts = [Host("nopool"), Host("small", pools: new StoragePool("ssd", 10 * GiB)), Host("big", pools: new StoragePool("ssd", 100 * GiB))];
        var d = Placer.Decide(hosts, [], Vm(storage: new StorageNeed("ssd", 50 * GiB)), Strict);
        Assert.Equal("big", d.HostId);
        var none = Placer.Decide(hosts, [], Vm(storage: new StorageNeed("ssd", 500 * GiB)), Strict);
        Assert.Contains("2 hosts lack storage (need 512000 MiB in ssd, best pool has 102400 MiB free)", none.Error);
        Assert.Contains("1 host lacks storage pool ssd", none.Error);
    }

    [Fact]
    public void NothingFits_ErrorSaysPerReasonHowManyHostsAndHowCloseTheBestCame()
    {
        var hosts = Enumerable.Range(0, 12).Select(i => Host($"small{i}", mem: 4096 - i)).Concat(
            Enumerable.Range(0, 3).Select(i => Host($"cordoned{i}", mem: 65536, cordoned: true))).ToList();
        var d = Placer.Decide(hosts, [], Vm(mem: 8192), Strict);
        Assert.False(d.Placed);
        Assert.Equal("no host can take instance vm (2 vcpus, 1000 MHz, 8192 MiB): 12 hosts lack memory (need 8192 MiB, best has 4096 free); 3 hosts cordoned", d.Error);
    }

    [Fact]
    public void NoHosts_SaysNoneAreRegistered() =>
        Assert.EndsWith("no hosts are registered", Placer.Decide([], [], Vm(), Strict).Error);

    [Fact]
    public void InvalidRequest_ListsEveryProblem()
    {
        var d = Placer.Decide([Host("h")], [], new PlacementRequest("vm", 0, 0, -1), Strict);
        Assert.Contains("vcpus must be at least 1", d.Error);
        Assert.Contains("cpu_mhz must be positive", d.Error);
        Assert.Contains("memory must be positive", d.Error);
    }
}
