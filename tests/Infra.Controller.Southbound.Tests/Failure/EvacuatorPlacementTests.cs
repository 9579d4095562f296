using Infra.Controller.Core.Placement;
using Infra.Controller.Model.Placement;
using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Failure;
using Infra.Store.Sqlite;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Failure;

/// <summary>
/// Evacuation places through the same host mapping as CreateInstance: the target's own overcommit
/// ratios and the speed of its cores count, against a real SQLite store.
/// </summary>
public sealed class EvacuatorPlacementTests : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("infra-evacuator-").FullName;
    readonly SqliteStore _store;
    readonly ClaimStore _claims;
    readonly Evacuator _evacuator;

    public EvacuatorPlacementTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "state.db")));
        // The cluster policy sells 4x the MHz; the hosts below say otherwise for themselves.
        _claims = new ClaimStore(_store, new PlacementPolicy(CpuOvercommit: 4.0, MemoryReserveMiB: 0));
        _evacuator = new Evacuator(_store, _claims, NullLogger<Evacuator>.Instance);
    }

    async Task<Infra.V1.Host> HostAsync(string id, uint cores, uint mhzPerCore, double cpuRatio = 0, Infra.V1.HostState state = Infra.V1.HostState.Up)
    {
        var h = Host(id, "192.0.2." + id[^1], cores: cores, state: state);
        h.Inventory.MhzPerCore = mhzPerCore;
        if (cpuRatio > 0) h.Overcommit = new Overcommit { CpuRatio = cpuRatio };
        await _store.PutAsync(h);
        return h;
    }

    /// <summary>An instance placed on <paramref name="host"/> through the same mapping the API uses.</summary>
    async Task VmAsync(string id, Infra.V1.Host host, uint vcpus, uint cpuMhz)
    {
        var i = Instance(id, "t1", host.Meta.Id);
        (i.Vcpus, i.CpuMhz, i.MemoryMib) = (vcpus, cpuMhz, 1024);
        await _store.PutAsync(i);
        var placed = await _claims.PlaceAsync([HostCapacityMapping.ToCapacity(host, _claims.Policy)], HostCapacityMapping.Request(i));
        Assert.True(placed.Placed, placed.Error);
    }

    Task<Infra.V1.Instance?> InstanceAsync(string id) => ObjectStore.ReadAsync(_store, Kinds.Instance, id, default);

    [Fact]
    public async Task Evacuate_TargetWithItsOwnCpuRatio_OffersOnlyThatMuchMhz()
    {
        var dead = await HostAsync("h1", cores: 16, mhzPerCore: 2000);
        // 4 cores x 2000 MHz at the host's own ratio 1.0: 8000 MHz, not the policy's 32000.
        var strict = await HostAsync("h2", cores: 4, mhzPerCore: 2000, cpuRatio: 1.0);
        await VmAsync("i-resident", strict, vcpus: 2, cpuMhz: 4000);
        await VmAsync("i-big", dead, vcpus: 4, cpuMhz: 6000);
        await VmAsync("i-fits", dead, vcpus: 2, cpuMhz: 4000);
        await MarkDownAsync(dead);

        var results = await _evacuator.EvacuateAsync("h1", default);

        Assert.Equal(["i-big", "i-fits"], results.Select(r => r.InstanceId));
        var big = (await InstanceAsync("i-big"))!;
        Assert.Equal(("", InstanceState.Error), (big.HostId, big.State));
        Assert.Contains("lacks CPU (need 6000 MHz, best has 4000 free)", big.StateReason);
        var fits = (await InstanceAsync("i-fits"))!;
        Assert.Equal(("h2", InstanceState.Scheduled), (fits.HostId, fits.State));
    }

    [Fact]
    public async Task Evacuate_TargetWhoseCoresAreTooSlow_IsNotChosen()
    {
        var dead = await HostAsync("h1", cores: 16, mhzPerCore: 3000);
        // Plenty of MHz in total (16 x 1000 x 4), but one vCPU thread runs at most 1000 MHz.
        await HostAsync("h2", cores: 16, mhzPerCore: 1000);
        await VmAsync("i-fast", dead, vcpus: 1, cpuMhz: 2500);
        await VmAsync("i-wide", dead, vcpus: 4, cpuMhz: 2500);
        await MarkDownAsync(dead);

        await _evacuator.EvacuateAsync("h1", default);

        var fast = (await InstanceAsync("i-fast"))!;
        Assert.Equal(("", InstanceState.Error), (fast.HostId, fast.State));
        Assert.Contains("cores too slow for 2500 MHz on 1 vCPU(s) (fastest runs 1000 MHz per core)", fast.StateReason);
        var wide = (await InstanceAsync("i-wide"))!;
        Assert.Equal(("h2", InstanceState.Scheduled), (wide.HostId, wide.State));
        Assert.DoesNotContain(await _claims.ListAsync(), c => c.InstanceId == "i-fast");
    }

    async Task MarkDownAsync(Infra.V1.Host h)
    {
        h.State = Infra.V1.HostState.Down;
        await _store.PutAsync(h);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
