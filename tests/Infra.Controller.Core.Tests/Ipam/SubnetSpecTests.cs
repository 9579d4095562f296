using System.Net;
using Infra.Controller.Core.Ipam;

namespace Infra.Controller.Core.Tests.Ipam;

public sealed class SubnetSpecTests
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
    public void IsAssignable_SkipsNetworkBroadcastGatewayAndReserved(string cidr, string gw, string address, bool expected) =>
        Assert.Equal(expected, SubnetSpec.Parse(cidr, gw).IsAssignable(IPAddress.Parse(address)));

    [Fact]
    public void IsAssignable_SkipsExtraReservedAddresses() =>
        Assert.False(SubnetSpec.Parse("10.0.0.0/24", "10.0.0.1", "10.0.0.2").IsAssignable(IPAddress.Parse("10.0.0.2")));

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var errors = SubnetSpec.Parse("10.0.0.0/31", "10.1.0.1", "192.168.0.1").Validate();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("/30 or larger"));
        Assert.Contains(errors, e => e.Contains("gateway 10.1.0.1 is outside"));
        Assert.Contains(errors, e => e.Contains("reserved address 192.168.0.1"));
    }

    [Fact]
    public void LowestFree_InSlash30_WithGateway_HasExactlyOneAddress()
    {
        var s = SubnetSpec.Parse("192.168.7.0/30", "192.168.7.1");
        Assert.Equal(IPAddress.Parse("192.168.7.2"), AddressPicker.LowestFree(s, new HashSet<IPAddress>()));
        Assert.Null(AddressPicker.LowestFree(s, new HashSet<IPAddress> { IPAddress.Parse("192.168.7.2") }));
    }

    [Fact]
    public void Random_InSlash64_StaysInsideAndAssignable()
    {
        var s = SubnetSpec.Parse("2001:db8:5::/64", "2001:db8:5::1");
        var rng = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            var a = AddressPicker.Random(s, rng);
            Assert.True(s.IsAssignable(a), a.ToString());
        }
    }
}
