using System.Net;
using Infra.Controller.Core.Ipam;

namespace Infra.Controller.Core.Tests.Ipam;

/// <summary>IPAM's rules on the domain's subnet type: what may be handed out.</summary>
public sealed class SubnetAddressingTests
{
    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.0", false)]   // network
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.255", false)] // broadcast
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.1", false)]   // gateway
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.2", true)]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.254", true)]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.1.2", false)]   // outside
    [InlineData("10.0.0.0/24", "10.0.0.1", "fd00::2", false)]    // wrong family
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1::", false)]  // subnet-router anycast
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1::1", false)] // gateway
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1::2", true)]
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1::ffff:ffff:ffff:ff80", false)] // RFC 2526 anycast
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1::ffff:ffff:ffff:ff7f", true)]
    [InlineData("fd00:1::/64", "fd00:1::1", "fd00:1:0:0:ffff:ffff:ffff:ffff", false)]
    public void IsAssignable_SkipsNetworkBroadcastGatewayAndAnycast(string cidr, string gw, string address, bool expected) =>
        Assert.Equal(expected, Subnets.Of(cidr, gw).IsAssignable(IPAddress.Parse(address)));

    [Fact]
    public void InRanges_WithoutRanges_IsTheWholeSubnet_WithRanges_OnlyThem()
    {
        Assert.True(Subnets.Of("10.0.0.0/24", "10.0.0.1").InRanges(IPAddress.Parse("10.0.0.77")));
        var ranged = Subnets.Of("10.0.0.0/24", "10.0.0.1", ("10.0.0.10", "10.0.0.20"));
        Assert.True(ranged.InRanges(IPAddress.Parse("10.0.0.20")));
        Assert.False(ranged.InRanges(IPAddress.Parse("10.0.0.21")));
    }

    [Fact]
    public void LowestFree_InSlash30_WithGateway_HasExactlyOneAddress()
    {
        var s = Subnets.Of("192.168.7.0/30", "192.168.7.1");
        Assert.Equal(IPAddress.Parse("192.168.7.2"), AddressPicker.LowestFree(s, new HashSet<IPAddress>()));
        Assert.Null(AddressPicker.LowestFree(s, new HashSet<IPAddress> { IPAddress.Parse("192.168.7.2") }));
    }

    [Fact]
    public void Random_InSlash64_StaysInsideAndAssignable()
    {
        var s = Subnets.Of("fd00:db8:5::/64", "fd00:db8:5::1");
        var rng = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            var a = AddressPicker.Random(s, rng);
            Assert.True(s.IsAssignable(a), a.ToString());
        }
    }
}
