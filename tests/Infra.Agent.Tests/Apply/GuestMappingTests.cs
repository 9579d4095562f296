using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Apply;

/// <summary>PortBinding.guest -> the responder's table, and infra-dhcp on the bridge when the responder runs.</summary>
public class GuestMappingTests
{
    static DesiredSnapshot Snap(params Resource[] rs) => DesiredSnapshot.FromFull(Full(1, rs));

    static Resource WithGuest(Resource port, GuestAddress g)
    {
        port.Port.Guest = g;
        return port;
    }

    static GuestAddress Guest(string v4 = "10.0.0.5", string v6 = "fd00::ff:fe00:1")
    {
        var g = new GuestAddress { Ipv4Address = v4, Ipv4PrefixLength = 24, Ipv4Gateway = "10.0.0.1", Ipv6Address = v6, Ipv6PrefixLength = 64,
            Ipv6Slaac = true, Mtu = 1400, Hostname = "web-1" };
        g.DnsServers.Add("10.0.0.2");
        g.Routes.Add(new Infra.V1.GuestRoute { Destination = "192.168.0.0/16", Nexthop = "10.0.0.254" });
        return g;
    }

    [Fact]
    public void PortWithGuestConfig_MapsToItsOfportMacAndAddresses()
    {
        var m = GuestMapping.ToGuestPorts(Snap(WithGuest(Port("p1", "vm1", "tap1", 1000, "02:00:00:00:00:01"), Guest()), Port("p2", "vm1", "tap2", 1001)));

        Assert.Empty(m.Errors);
        var c = Assert.Single(m.Value);
        Assert.Equal((1000, 0x02_00_00_00_00_01UL, "10.0.0.5", 24, "10.0.0.1"), (c.OfPort, c.Mac, c.V4Address!.ToString(), c.V4PrefixLength, c.V4Gateway!.ToString()));
        Assert.Equal(("fd00::/64", true, 1400, "web-1"), (c.V6Prefix!.Value.ToString(), c.V6Slaac, c.Mtu, c.HostName));
        Assert.Equal("192.168.0.0/16 10.0.0.254", $"{c.Routes[0].Destination} {c.Routes[0].Nexthop}");
    }

    [Fact]
    public void GuestConfigThatDoesNotParse_IsLeftOutAndNacked()
    {
        var m = GuestMapping.ToGuestPorts(Snap(WithGuest(Port("p1", "vm1", "tap1", 1000), Guest(v4: "10.0.0.300"))));

        Assert.Empty(m.Value);
        var e = Assert.Single(m.Errors);
        Assert.Equal(("p1", true), (e.Ref.Id, e.Error.Contains("10.0.0.300")));
    }

    [Fact]
    public void Bridge_WithTheResponder_HasInfraDhcpAtOfport99()
    {
        var on = NetworkMapping.ToHostNetwork(Snap(), new BridgeSettings("br-int", "netdev", 0x42, GuestResponder: true)).Value;
        var off = NetworkMapping.ToHostNetwork(Snap(), new BridgeSettings("br-int", "netdev", 0x42)).Value;

        Assert.Equal(new Infra.Agent.Network.Model.ServicePort("infra-dhcp", 99), Assert.Single(on.ServicePorts));
        Assert.Empty(off.ServicePorts);
    }
}
