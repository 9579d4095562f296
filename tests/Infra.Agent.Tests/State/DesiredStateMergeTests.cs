using Infra.Agent.Core.State;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.State;

public class DesiredStateMergeTests
{
    private static DesiredSnapshot Held(ulong v, params Resource[] rs) => DesiredSnapshot.FromFull(Full(v, rs));

    [Fact]
    public void Full_ReplacesEverything()
    {
        var r = DesiredStateMerge.Apply(Held(3, Vm("a"), Vm("b")), Full(7, Vm("c")));
        var s = Assert.IsType<MergeResult.Accepted>(r).Snapshot;
        Assert.Equal(7UL, s.Version);
        Assert.Equal(["c"], s.OfKind(DesiredKind.Vm).Select(x => x.Vm.Id));
    }

    [Fact]
    public void Delta_OnHeldBase_UpsertsAndRemoves()
    {
        var r = DesiredStateMerge.Apply(Held(3, Vm("a"), Vm("b"), Flows(0xab, (0, 1, "", "drop"))),
            Delta(4, 3, [Vm("c"), Vm("a", InstanceState.Stopped)], Ref(DesiredKind.Vm, "b"), Ref(DesiredKind.FlowGroup, "0x00AB")));
        var s = Assert.IsType<MergeResult.Accepted>(r).Snapshot;
        Assert.Equal(4UL, s.Version);
        Assert.Equal(["a", "c"], s.OfKind(DesiredKind.Vm).Select(x => x.Vm.Id));
        Assert.Equal(InstanceState.Stopped, s.Resources[new ResourceKey(DesiredKind.Vm, "a")].Vm.PowerState);
        Assert.Empty(s.OfKind(DesiredKind.FlowGroup));
    }

    [Fact]
    public void Delta_OnAnotherBase_IsBaseMismatch()
    {
        var r = DesiredStateMerge.Apply(Held(3, Vm("a")), Delta(6, 5, [Vm("c")]));
        var mm = Assert.IsType<MergeResult.BaseMismatch>(r);
        Assert.Equal((3UL, 5UL), (mm.Held, mm.Base));
    }

    [Fact]
    public void Full_WithRemovals_IsInvalid()
    {
        var full = Full(2, Vm("a"));
        full.Removals.Add(Ref(DesiredKind.Vm, "x"));
        Assert.IsType<MergeResult.Invalid>(DesiredStateMerge.Apply(DesiredSnapshot.Empty, full));
    }

    [Fact]
    public void Upserts_WithoutIds_AreInvalid_NamingEachOne()
    {
        var r = DesiredStateMerge.Apply(DesiredSnapshot.Empty, Full(2, Vm(""), new Resource(), Vm("ok")));
        var bad = Assert.IsType<MergeResult.Invalid>(r);
        Assert.Equal(2, bad.Errors.Count);
    }

    [Fact]
    public void Snapshot_RoundTripsThroughItsFullMessage()
    {
        var s = Held(9, Vm("a"), Port("p1", "a", "tap1"), Tunnel("h2", "10.0.0.2"), Flows(5, (0, 10, "in_port=1", "drop")));
        var back = DesiredSnapshot.FromFull(s.ToMessage());
        Assert.Equal(s.Version, back.Version);
        Assert.Equal(s.Resources, back.Resources);
    }
}
