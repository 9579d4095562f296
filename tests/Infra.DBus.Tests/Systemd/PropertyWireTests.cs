using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;
using Infra.Systemd.Units;

namespace Infra.DBus.Tests.Systemd;

/// <summary>
/// What systemd receives, decoded by a peer on a real bus: systemd checks each property's variant
/// type strictly, so the signature is pinned per property (these replace the byte rows of the deleted codec).
/// </summary>
public sealed class PropertyWireTests : BusWithSystemd
{
    public static TheoryData<UnitProperty, string> Rows => new()
    {
        { UnitProperty.CpuQuotaPercent(50), "t" },
        { UnitProperty.CpuQuotaPerSec(TimeSpan.FromMilliseconds(1500)), "t" },
        { UnitProperty.MemoryMax(64UL << 20), "t" },
        { UnitProperty.CpuWeight(250), "t" },
        { UnitProperty.TasksMax(64), "t" },
        { UnitProperty.TimeoutStop(TimeSpan.FromSeconds(10)), "t" },
        { UnitProperty.WatchdogTimeout(TimeSpan.FromSeconds(30)), "t" },
        { UnitProperty.Delegate(true), "b" },
        { UnitProperty.RemainAfterExit(false), "b" },
        { UnitProperty.Slice("infra-vms.slice"), "s" },
        { UnitProperty.KillMode("mixed"), "s" },
        { UnitProperty.Type("exec"), "s" },
        { UnitProperty.CollectMode("inactive-or-failed"), "s" },
        { UnitProperty.StandardOutputFileToAppend("/var/log/infra/storage/x.log"), "s" },
        { UnitProperty.StandardErrorFileToAppend("/var/log/infra/storage/x.log"), "s" },
        { UnitProperty.Environment("A=1", "B=two words"), "as" },
        { UnitProperty.ExecStart(ExecCommand.Of("/usr/bin/qemu-storage-daemon", "--blockdev", "x")), "a(sasb)" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task StartTransientUnit_SendsThePropertyWithTheTypeSystemdRequires(UnitProperty p, string signature)
    {
        Assert.Equal(JobResult.Done, (await Client.StartTransientUnitAndWaitAsync("infra-x.service", "fail", [p], Wait)).Result);
        var call = Last("StartTransientUnit");
        Assert.Equal("ssa(sv)a(sa(sv))", call.Signature);
        Assert.Equal(["infra-x.service", "fail"], call.Args);
        var sent = Assert.Single(call.Properties);
        Assert.Equal((p.Name, signature), (sent.Name, sent.Signature));
        Assert.Equal(p.Value.ToString(), sent.Value.ToString());
    }

    [Fact]
    public async Task ExecStart_WithSeveralCommands_ArrivesAsPathArgvIgnoreFailure()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-x.service", "fail",
            [UnitProperty.ExecStart(ExecCommand.Of("/bin/sleep", "30"), new ExecCommand("/bin/true", ["true"], IgnoreFailure: true))], Wait);
        var v = Assert.Single(Last("StartTransientUnit").Properties).Value;
        Assert.Equal(2, v.Count);
        Assert.Equal("/bin/true", v.GetItem(1).GetItem(0).GetString());
        Assert.Equal(["/bin/sleep", "30"], v.GetItem(0).GetItem(1).GetArray<string>());
        Assert.True(v.GetItem(1).GetItem(2).GetBool());
    }

    [Fact]
    public async Task SetUnitProperties_AtRuntime_SendsTheNewQuotaForTheLoadedUnit()
    {
        await Client.StartTransientUnitAndWaitAsync("infra-vm-a.service", "fail", [UnitProperty.CpuQuotaPercent(50)], Wait);
        await Client.SetUnitPropertiesAsync("infra-vm-a.service", runtime: true, [UnitProperty.CpuQuotaPercent(150), UnitProperty.MemoryMax(1UL << 30)]);
        var call = Last("SetUnitProperties");
        Assert.Equal(("sba(sv)", true), (call.Signature, call.Runtime));
        Assert.Equal([("CPUQuotaPerSecUSec", "t", 1_500_000UL), ("MemoryMax", "t", 1UL << 30)],
            call.Properties.Select(p => (p.Name, p.Signature, p.Value.GetUInt64())));
    }

    [Fact]
    public async Task StartTransientUnit_WithALargeEnvironment_ArrivesIntact()
    {
        var env = Enumerable.Range(0, 20_000).Select(i => $"INFRA_VAR_{i}={new string('x', i % 97)}").ToArray();
        await Client.StartTransientUnitAndWaitAsync("infra-big.service", "fail", [UnitProperty.Environment(env)], Wait);
        Assert.Equal(env, Assert.Single(Last("StartTransientUnit").Properties).Value.GetArray<string>());
    }
}
