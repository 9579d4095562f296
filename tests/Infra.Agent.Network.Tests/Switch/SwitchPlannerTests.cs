using Infra.Agent.Network.Model;
using Infra.Agent.Network.Switch;

namespace Infra.Agent.Network.Tests.Switch;

public class SwitchPlannerTests
{
    internal static HostNetworkSpec Spec(IReadOnlyList<TunnelPeer>? peers = null, IReadOnlyList<VmPort>? ports = null, ulong dpid = 0xab) =>
        new("br-int", "netdev", dpid, peers ?? [new TunnelPeer("host-b", "192.0.2.2")], ports ?? [new VmPort("p-1", "vm1", VmPortKind.Internal, 1)], []);

    /// <summary>What the switch looks like after the plan for <paramref name="spec"/> was applied.</summary>
    private static ObservedSwitch Applied(HostNetworkSpec spec, params ObservedPort[] extra)
    {
        var ports = SwitchPlanner.DesiredPorts(spec).Select(s => new ObservedPort(Guid.NewGuid(), s.Name, s.ExternalIds,
            new ObservedInterface(Guid.NewGuid(), s.Name, s.Type, s.Options, s.OfPortRequest, s.ExternalIds, s.OfPortRequest, "up", null)));
        return new(new ObservedBridge(Guid.NewGuid(), "br-int", "netdev", "secure", new Dictionary<string, string> { ["datapath-id"] = spec.DatapathId.ToString("x16"), ["other"] = "kept" }),
            [.. ports, .. extra]);
    }

    [Fact]
    public void EmptySwitch_PlansBridgeAndEveryPort()
    {
        var plan = SwitchPlanner.Plan(Spec(), ObservedSwitch.Empty);
        var bridge = Assert.IsType<CreateBridge>(plan[0]);
        Assert.Equal("00000000000000ab", bridge.OtherConfig["datapath-id"]);
        var adds = plan.OfType<AddPort>().Select(a => a.Shape).ToArray();
        var gre = Assert.Single(adds, s => s.Type == "gre");
        Assert.Equal("flow", gre.Options["key"]);
        Assert.Equal("192.0.2.2", gre.Options["remote_ip"]);
        Assert.Equal(new TunnelPeer("host-b", "x").EffectiveOfPort, gre.OfPortRequest);
        var vm = Assert.Single(adds, s => s.Type == "internal");
        Assert.Equal("p-1", vm.ExternalIds["iface-id"]);
        Assert.Equal(1, vm.OfPortRequest);
    }

    [Fact]
    public void SwitchAlreadyRight_PlansNothing() => Assert.Empty(SwitchPlanner.Plan(Spec(), Applied(Spec())));

    [Fact]
    public void RemovedPeer_RemovesOnlyItsPort_AndLeavesUnownedPortsAlone()
    {
        var before = Spec(peers: [new("host-b", "192.0.2.2"), new("host-c", "192.0.2.3")]);
        var foreign = new ObservedPort(Guid.NewGuid(), "br-int", new Dictionary<string, string>(), null);
        var plan = SwitchPlanner.Plan(Spec(), Applied(before, foreign));
        var remove = Assert.IsType<RemovePort>(Assert.Single(plan));
        Assert.Equal(new TunnelPeer("host-c", "x").PortName, remove.Name);
    }

    [Fact]
    public void KeepUndesired_RemovesNoPort_ButStillAddsAndUpdates()
    {
        var before = Spec(peers: [new("host-b", "192.0.2.2"), new("host-c", "192.0.2.3")]);
        var spec = Spec(peers: [new("host-b", "192.0.2.9")], ports: []) with { KeepUndesired = true };
        var plan = SwitchPlanner.Plan(spec, Applied(before));
        Assert.DoesNotContain(plan, a => a is RemovePort);
        Assert.IsType<UpdateInterface>(Assert.Single(plan));
    }

    [Fact]
    public void ChangedRemoteIp_UpdatesInterfaceInPlace()
    {
        var plan = SwitchPlanner.Plan(Spec(peers: [new("host-b", "192.0.2.9")]), Applied(Spec()));
        var u = Assert.IsType<UpdateInterface>(Assert.Single(plan));
        Assert.Equal("192.0.2.9", u.Shape.Options["remote_ip"]);
    }

    [Fact]
    public void ChangedDatapathId_UpdatesBridgeOnly() =>
        Assert.IsType<UpdateBridge>(Assert.Single(SwitchPlanner.Plan(Spec(dpid: 0xcd), Applied(Spec()))));

    [Fact]
    public void SystemDatapath_MatchesOvsDefaultEmptyType()
    {
        var spec = Spec() with { DatapathType = "system" };
        var observed = Applied(spec);
        observed = observed with { Bridge = observed.Bridge! with { DatapathType = "" } };
        Assert.Empty(SwitchPlanner.Plan(spec, observed));
    }

    [Fact]
    public void TunnelNamesAndOfports_AreStableAndFitIfnamsiz()
    {
        var p = new TunnelPeer("a-very-long-host-identifier-0001", "192.0.2.2");
        Assert.Equal(p.PortName, new TunnelPeer("a-very-long-host-identifier-0001", "10.0.0.1").PortName);
        Assert.True(p.PortName.Length <= 15);
        Assert.InRange(p.EffectiveOfPort, 10000, 59999);
    }

    [Fact]
    public void Validate_ReportsEveryError()
    {
        var bad = new HostNetworkSpec("this-name-is-too-long", "kernel", 0,
            [new("h", "not-an-ip"), new("h", "192.0.2.1")],
            [new("p", "vm1", VmPortKind.Tap, 7), new("p", "vm1", VmPortKind.Tap, 7)],
            [new FlowSpec(0, 0, 1, "ip", "")]);
        var errors = bad.Validate();
        Assert.True(errors.Count >= 8, string.Join("\n", errors));
        Assert.Contains(errors, e => e.Contains("OpenFlow port 7"));
    }
}
