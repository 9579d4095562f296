using Infra.Controller.Southbound.Desired;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Desired;

public sealed class DeltaPlannerTests
{
    static Resource Vm(string id, uint mhz = 1000) => new() { Vm = new VmSpec { Id = id, CpuMhz = mhz } };
    static Resource Tunnel(string host) => new() { Tunnel = new TunnelPeer { HostId = host, RemoteIp = "192.0.2.9", Ofport = 100 } };
    static HostResources Res(params Resource[] r) => new(r);

    [Fact]
    public void Plan_FirstContact_SendsFullStateVersion1()
    {
        var m = DeltaPlanner.Plan(null, Res(Vm("a"), Tunnel("h2")), agentVersion: 0)!;

        Assert.True(m.Full);
        Assert.Equal(1ul, m.Version);
        Assert.Equal(2, m.Upserts.Count);
    }

    [Fact]
    public void Plan_AgentHoldsLastVersion_SendsOnlyChangedNewAndRemoved()
    {
        var last = new LastSent(4, Res(Vm("a"), Vm("b"), Tunnel("h2")));

        var m = DeltaPlanner.Plan(last, Res(Vm("a"), Vm("b", 3000), Vm("c")), agentVersion: 4)!;

        Assert.False(m.Full);
        Assert.Equal((5ul, 4ul), (m.Version, m.BaseVersion));
        Assert.Equal(["b", "c"], m.Upserts.Select(r => r.Vm.Id));
        Assert.Equal(new ResourceRef { Kind = DesiredKind.Tunnel, Id = "h2" }, Assert.Single(m.Removals));
    }

    [Fact]
    public void Plan_NothingChanged_SendsNothing()
    {
        var last = new LastSent(4, Res(Vm("a"), Tunnel("h2")));

        Assert.Null(DeltaPlanner.Plan(last, Res(Tunnel("h2"), Vm("a")), agentVersion: 4));
    }

    [Theory]
    [InlineData(5ul, 0ul, 6ul)]   // agent lost its state
    [InlineData(5ul, 3ul, 6ul)]   // agent missed versions
    [InlineData(5ul, 9ul, 10ul)]  // controller's ledger is behind the agent: versions still only grow
    public void Plan_AgentHoldsAnotherVersion_SendsFullAboveBoth(ulong lastVersion, ulong agentVersion, ulong expected)
    {
        var m = DeltaPlanner.Plan(new LastSent(lastVersion, Res(Vm("a"))), Res(Vm("a")), agentVersion)!;

        Assert.True(m.Full);
        Assert.Equal(expected, m.Version);
        Assert.Single(m.Upserts);
    }

    [Fact]
    public void Plan_ForceFullAfterNack_SendsFullEvenWithoutChanges()
    {
        var m = DeltaPlanner.Plan(new LastSent(2, Res(Vm("a"))), Res(Vm("a")), 2, forceFull: true)!;

        Assert.True(m.Full);
        Assert.Equal(3ul, m.Version);
    }

    [Fact]
    public void Apply_DeltaOnItsBase_GivesTheNewResources()
    {
        var before = Res(Vm("a"), Vm("b"), Tunnel("h2"));
        var after = Res(Vm("a", 5), Vm("c"), Tunnel("h3"));

        var held = DeltaPlanner.Apply(before, DeltaPlanner.Plan(new LastSent(1, before), after, 1)!);

        Assert.Equal(after.Items, held.Items);
    }
}
