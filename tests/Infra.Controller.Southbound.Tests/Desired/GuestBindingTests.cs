using Infra.Controller.Southbound.Desired;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Desired;

/// <summary>PortBinding.guest and the responder's flows, as DesiredStateBuilder gives them to a host.</summary>
public sealed class GuestBindingTests
{
    static Network Net(string tenant)
    {
        var n = new Network { Meta = new ObjectMeta { Id = "net-" + tenant }, TenantId = tenant, Mtu = 1400 };
        var s = new Subnet { Cidr = "10.0.0.0/24", Gateway = "10.0.0.1", IpVersion = IpVersion._4 };
        s.DnsServers.Add("10.0.0.2");
        s.HostRoutes.Add(new HostRoute { Destination = "192.168.0.0/16", Nexthop = "10.0.0.254" });
        n.Subnets.Add(s);
        return n;
    }

    static readonly Google.Protobuf.IMessage[] Cluster =
    [
        Tenant("t1", 7), Host("h1", "192.0.2.1"), Net("t1"),
        Instance("i1", "t1", "h1", "p1", "p2"),
        Port("p1", "t1", "i1", "h1", "02:00:00:00:00:01", "10.0.0.11"),
        Port("p2", "t1", "i1", "h1", "02:00:00:00:00:02", "10.0.0.12"),
    ];

    [Fact]
    public void Build_PortOfANetwork_CarriesItsAddressRoutesDnsMtuAndTheInstanceHostname()
    {
        var b = DesiredStateBuilder.Build(Snapshot(Cluster), "h1");

        var g = b.Resources.OfKind(DesiredKind.Port).Single(r => r.Port.Id == "p1").Port.Guest;
        Assert.Equal(("10.0.0.11", 24u, "10.0.0.1", 1400u, "i1-name"), (g.Ipv4Address, g.Ipv4PrefixLength, g.Ipv4Gateway, g.Mtu, g.Hostname));
        Assert.Equal(["10.0.0.2"], g.DnsServers);
        var route = Assert.Single(g.Routes);
        Assert.Equal(("192.168.0.0/16", "10.0.0.254"), (route.Destination, route.Nexthop));
        Assert.Equal("", g.Ipv6Address);
        Assert.Empty(b.Problems);
    }

    [Fact]
    public void Build_SecondNicOfAnInstance_GetsNoDefaultGateway()
    {
        var b = DesiredStateBuilder.Build(Snapshot(Cluster), "h1");

        var g = b.Resources.OfKind(DesiredKind.Port).Single(r => r.Port.Id == "p2").Port.Guest;
        Assert.Equal(("10.0.0.12", ""), (g.Ipv4Address, g.Ipv4Gateway));
    }

    [Fact]
    public void Build_PortWhoseNetworkIsMissing_GetsNoGuestConfig()
    {
        var b = DesiredStateBuilder.Build(Snapshot([.. Cluster.Where(o => o is not Network)]), "h1");

        Assert.All(b.Resources.OfKind(DesiredKind.Port), r => Assert.Null(r.Port.Guest));
    }

    [Fact]
    public void Build_AnyHost_SendsDhcpAndSolicitationsToTheResponderAtOfport99()
    {
        var b = DesiredStateBuilder.Build(Snapshot(Cluster), "h1");

        var flows = b.Resources.OfKind(DesiredKind.FlowGroup).SelectMany(r => r.FlowGroup.Flows).ToList();
        Assert.Contains(flows, f => f.Table == 0 && f.Match.Contains("in_port=99"));
        Assert.Contains(flows, f => f.Table == 1 && f.Match.Contains("tp_dst=67") && f.Actions.Contains("output:99"));
        Assert.DoesNotContain(b.Resources.OfKind(DesiredKind.Port), r => r.Port.Ofport == LocalNumbering.GuestServicesOfPort);
    }
}
