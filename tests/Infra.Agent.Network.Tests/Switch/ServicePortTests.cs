using Infra.Agent.Network.Model;
using Infra.Agent.Network.Switch;

namespace Infra.Agent.Network.Tests.Switch;

/// <summary>The responder's internal port (infra-dhcp) is planned like any port the agent owns.</summary>
public class ServicePortTests
{
    static HostNetworkSpec Spec(params ServicePort[] services) =>
        SwitchPlannerTests.Spec(ports: [new VmPort("p-1", "vm1", VmPortKind.Tap, 1000)]) with { ServicePorts = services };

    [Fact]
    public void ServicePort_IsAddedAsAnOwnedInternalPortAtItsOfport()
    {
        var shape = Assert.Single(SwitchPlanner.Plan(Spec(new ServicePort("infra-dhcp", 99)), ObservedSwitch.Empty).OfType<AddPort>(), a => a.Shape.Name == "infra-dhcp").Shape;

        Assert.Equal(("internal", 99), (shape.Type, shape.OfPortRequest));
        Assert.Equal(SwitchPlanner.OwnerValue, shape.ExternalIds[SwitchPlanner.OwnerKey]);
        Assert.False(shape.ExternalIds.ContainsKey(SwitchPlanner.PortIdKey)); // not a VM port: no status report for it
    }

    [Fact]
    public void ServicePort_NoLongerDesired_IsRemoved()
    {
        var observed = ObservedSwitchOf(Spec(new ServicePort("infra-dhcp", 99)));

        var plan = SwitchPlanner.Plan(Spec(), observed);

        Assert.Equal("infra-dhcp", Assert.IsType<RemovePort>(Assert.Single(plan)).Name);
    }

    [Fact]
    public void ServicePort_OnTheOfportOfAVmPort_IsAValidationError() =>
        Assert.Contains(Spec(new ServicePort("infra-dhcp", 1000)).Validate(), e => e.Contains("OpenFlow port 1000"));

    static ObservedSwitch ObservedSwitchOf(HostNetworkSpec spec) =>
        new(new ObservedBridge(Guid.NewGuid(), "br-int", "netdev", "secure", new Dictionary<string, string> { ["datapath-id"] = spec.DatapathId.ToString("x16") }),
            SwitchPlanner.DesiredPorts(spec).Select(s => new ObservedPort(Guid.NewGuid(), s.Name, s.ExternalIds,
                new ObservedInterface(Guid.NewGuid(), s.Name, s.Type, s.Options, s.OfPortRequest, s.ExternalIds, s.OfPortRequest, "up", null))).ToList());
}
