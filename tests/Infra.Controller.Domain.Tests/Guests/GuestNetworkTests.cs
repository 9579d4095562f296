using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Infra.Controller.Domain.Guests;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Tests.Guests;

public class GuestNetworkTests
{
    static Network Net(string id, uint mtu, params Subnet[] subnets)
    {
        var n = new Network { Meta = new ObjectMeta { Id = id }, Mtu = mtu };
        n.Subnets.AddRange(subnets);
        return n;
    }

    static Subnet Sub(string cidr, string gateway = "", string[]? dns = null, HostRoute[]? routes = null)
    {
        var s = new Subnet { Cidr = cidr, Gateway = gateway };
        s.DnsServers.AddRange(dns ?? []);
        s.HostRoutes.AddRange(routes ?? []);
        return s;
    }

    static Port PortOn(string id, string net, string mac, params (string Cidr, string Ip)[] ips)
    {
        var p = new Port { Meta = new ObjectMeta { Id = id }, NetworkId = net, MacAddress = mac };
        p.FixedIps.AddRange(ips.Select(i => new FixedIp { SubnetCidr = i.Cidr, Address = i.Ip }));
        return p;
    }

    [Fact]
    public void For_OneNic_GetsAddressPrefixGatewayDnsAndDefaultMtu()
    {
        var nets = new Dictionary<string, Network> { ["n1"] = Net("n1", 0, Sub("10.0.0.0/24", "10.0.0.1", ["10.0.0.2", "9.9.9.9"])) };
        var nic = Assert.Single(GuestNetwork.For([PortOn("p1", "n1", "02:00:00:00:00:05", ("10.0.0.0/24", "10.0.0.5"))], nets));
        Assert.Equal("10.0.0.5/24", nic.V4!.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.1"), nic.Gateway4);
        Assert.Equal(["10.0.0.2", "9.9.9.9"], nic.DnsServers.Select(d => d.ToString()));
        Assert.Equal(1450, nic.Mtu);
        Assert.Null(nic.V6);
    }

    [Fact]
    public void For_TwoNics_DefaultGatewayOnlyOnTheFirstPerFamily()
    {
        var nets = new Dictionary<string, Network>
        {
            ["a"] = Net("a", 1400, Sub("10.0.0.0/24", "10.0.0.1"), Sub("fd00:a::/64", "fd00:a::1")),
            ["b"] = Net("b", 0, Sub("10.1.0.0/24", "10.1.0.1"), Sub("fd00:b::/64", "fd00:b::1")),
        };
        var nics = GuestNetwork.For([
            PortOn("p1", "a", "02:00:00:00:00:01", ("10.0.0.0/24", "10.0.0.5"), ("fd00:a::/64", "fd00:a::1234")),
            PortOn("p2", "b", "02:00:00:00:00:02", ("10.1.0.0/24", "10.1.0.5"), ("fd00:b::/64", "fd00:b::5")),
        ], nets);
        Assert.Equal(2, nics.Length);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), nics[0].Gateway4);
        Assert.Equal(IPAddress.Parse("fd00:a::1"), nics[0].Gateway6);
        Assert.Null(nics[1].Gateway4);
        Assert.Null(nics[1].Gateway6);
        Assert.Equal(1400, nics[0].Mtu);
        Assert.Equal(1450, nics[1].Mtu);
    }

    [Fact]
    public void For_FirstNicWithoutGateway_LeavesTheDefaultRouteToTheNextNicThatHasOne()
    {
        var nets = new Dictionary<string, Network>
        {
            ["a"] = Net("a", 0, Sub("10.0.0.0/24")),
            ["b"] = Net("b", 0, Sub("10.1.0.0/24", "10.1.0.1")),
        };
        var nics = GuestNetwork.For([
            PortOn("p1", "a", "02:00:00:00:00:01", ("10.0.0.0/24", "10.0.0.5")),
            PortOn("p2", "b", "02:00:00:00:00:02", ("10.1.0.0/24", "10.1.0.5")),
        ], nets);
        Assert.Null(nics[0].Gateway4);
        Assert.Equal(IPAddress.Parse("10.1.0.1"), nics[1].Gateway4);
    }

    [Fact]
    public void For_HostRoutes_GoOnEveryNicOfTheSubnet()
    {
        var route = new HostRoute { Destination = "192.168.50.0/24", Nexthop = "10.0.0.254" };
        var nets = new Dictionary<string, Network> { ["a"] = Net("a", 0, Sub("10.0.0.0/24", "10.0.0.1", routes: [route])) };
        var nics = GuestNetwork.For([
            PortOn("p1", "a", "02:00:00:00:00:01", ("10.0.0.0/24", "10.0.0.5")),
            PortOn("p2", "a", "02:00:00:00:00:02", ("10.0.0.0/24", "10.0.0.6")),
        ], nets);
        Assert.All(nics, n => Assert.Equal("192.168.50.0/24 via 10.0.0.254", $"{Assert.Single(n.Routes).Destination} via {n.Routes[0].Nexthop}"));
    }

    [Fact]
    public void For_V6Slash64WithTheEui64Address_IsSlaac_OtherwiseNot()
    {
        var nets = new Dictionary<string, Network> { ["a"] = Net("a", 0, Sub("fd00:1::/64", "fd00:1::1"), Sub("fd00:2::/80")) };
        var mac = "52:54:00:12:34:56";
        var eui = Slaac.Address(IPAddress.Parse("fd00:1::"), MacOf(mac));
        Assert.Equal(IPAddress.Parse("fd00:1::5054:ff:fe12:3456"), eui);
        var slaac = Assert.Single(GuestNetwork.For([PortOn("p", "a", mac, ("fd00:1::/64", eui.ToString()))], nets));
        Assert.True(slaac.V6Slaac);
        var fixedAddress = Assert.Single(GuestNetwork.For([PortOn("p", "a", mac, ("fd00:1::/64", "fd00:1::99"))], nets));
        Assert.False(fixedAddress.V6Slaac);
        var slash80 = Assert.Single(GuestNetwork.For([PortOn("p", "a", mac, ("fd00:2::/80", "fd00:2::5"))], nets));
        Assert.False(slash80.V6Slaac);
    }

    [Fact]
    public void For_MissingNetworkOrBadMac_SkipsThatNicOnly()
    {
        var nets = new Dictionary<string, Network> { ["a"] = Net("a", 0, Sub("10.0.0.0/24", "10.0.0.1")) };
        var nics = GuestNetwork.For([
            PortOn("gone", "nope", "02:00:00:00:00:01", ("10.0.0.0/24", "10.0.0.4")),
            PortOn("p", "a", "02:00:00:00:00:02", ("10.0.0.0/24", "10.0.0.5")),
        ], nets);
        var nic = Assert.Single(nics);
        Assert.Equal("p", nic.PortId);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), nic.Gateway4);
    }

    [Fact]
    public void Property_AtMostOneDefaultGatewayPerFamily_AndItIsOnTheFirstNicThatCanHaveOne()
    {
        Prop.ForAll(Gen.ListOf(Gen.Elements(true, false)).ToArbitrary(), hasGateway =>
        {
            var nets = new Dictionary<string, Network>();
            var ports = new List<Port>();
            for (var i = 0; i < hasGateway.Count && i < 200; i++)
            {
                var cidr = $"10.{i}.0.0/24";
                nets[$"n{i}"] = Net($"n{i}", 0, Sub(cidr, hasGateway[i] ? $"10.{i}.0.1" : ""));
                ports.Add(PortOn($"p{i}", $"n{i}", $"02:00:00:00:{i / 256:x2}:{i % 256:x2}", (cidr, $"10.{i}.0.9")));
            }
            var nics = GuestNetwork.For(ports, nets);
            var withGateway = nics.Select((n, i) => (n, i)).Where(x => x.n.Gateway4 is not null).Select(x => x.i).ToList();
            var first = hasGateway.Take(200).ToList().IndexOf(true);
            return first < 0 ? withGateway.Count == 0 : withGateway.SequenceEqual([first]);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Property_SlaacAddress_KeepsThePrefixAndRoundTripsTheMac()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), raw =>
        {
            var mac = new MacAddress(raw & 0xffff_ffff_ffffUL);
            var a = Slaac.Address(IPAddress.Parse("fd12:3456:789a:1::"), mac).GetAddressBytes();
            var back = ((ulong)(a[8] ^ 0x02) << 40) | ((ulong)a[9] << 32) | ((ulong)a[10] << 24) | ((ulong)a[13] << 16) | ((ulong)a[14] << 8) | a[15];
            return a[..8].SequenceEqual(IPAddress.Parse("fd12:3456:789a:1::").GetAddressBytes()[..8]) && a[11] == 0xff && a[12] == 0xfe && back == mac.Value;
        }).QuickCheckThrowOnFailure();
    }

    static MacAddress MacOf(string text) => MacAddress.TryParse(text, out var m, out var e) ? m : throw new FormatException(e);
}
