using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Tests.Model;

public class IpCidrTests
{
    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", 24, IpVersion.V4)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0, IpVersion.V4)]
    [InlineData("192.0.2.7/32", "192.0.2.7", 32, IpVersion.V4)]
    [InlineData("fd00:1::/64", "fd00:1::", 64, IpVersion.V6)]
    [InlineData("::/0", "::", 0, IpVersion.V6)]
    [InlineData("FD00:1::/64", "fd00:1::", 64, IpVersion.V6)]
    public void TryParse_WhenCanonical_ReturnsNetworkAndPrefix(string text, string network, int prefix, IpVersion version)
    {
        Assert.True(IpCidr.TryParse(text, out var cidr, out var error), error);
        Assert.Equal(IPAddress.Parse(network), cidr.Network);
        Assert.Equal(prefix, cidr.PrefixLength);
        Assert.Equal(version, cidr.Version);
    }

    [Theory]
    [InlineData("10.0.0.1/24", "did you mean 10.0.0.0/24")]
    [InlineData("fd00:1::1/64", "did you mean fd00:1::/64")]
    [InlineData("10.0.0.0", "not a CIDR")]
    [InlineData("10.0.0.0/", "not a CIDR")]
    [InlineData("/24", "not a CIDR")]
    [InlineData("10.0.0.0/33", "0 to 32")]
    [InlineData("fd00::/129", "0 to 128")]
    [InlineData("10.0.0.0/-1", "0 to 32")]
    [InlineData("10.0.0.0/ 8", "0 to 32")]
    [InlineData("10.0/16", "not an IP address")]
    [InlineData("010.0.0.0/8", "not an IP address")]
    [InlineData("fe80::%eth0/64", "not an IP address")]
    [InlineData("example.com/24", "not an IP address")]
    public void TryParse_WhenInvalid_SaysWhatIsWrong(string text, string fragment)
    {
        Assert.False(IpCidr.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.255", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0", false)]
    [InlineData("10.0.0.0/24", "::ffff:10.0.0.1", false)]
    [InlineData("fd00::/64", "fd00::ffff:ffff:ffff:ffff", true)]
    public void Contains_ComparesWithinOneVersionOnly(string cidr, string address, bool expected)
    {
        IpCidr.TryParse(cidr, out var c, out _);
        Assert.Equal(expected, c.Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.128/25", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false)]
    [InlineData("10.0.0.0/8", "10.200.0.0/16", true)]
    [InlineData("0.0.0.0/0", "::/0", false)]
    public void Overlaps_IsSymmetric(string a, string b, bool expected)
    {
        IpCidr.TryParse(a, out var x, out _);
        IpCidr.TryParse(b, out var y, out _);
        Assert.Equal(expected, x.Overlaps(y));
        Assert.Equal(expected, y.Overlaps(x));
    }

    [Fact]
    public void AnyCanonicalCidr_RoundTripsThroughText()
    {
        var gen =
            from v6 in Gen.Elements(false, true)
            from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), v6 ? 16 : 4)
            from prefix in Gen.Choose(0, v6 ? 128 : 32)
            select (bytes, prefix);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var bits = t.bytes.Length * 8;
            var value = IpMath.ToInt(new IPAddress(t.bytes)) & ~IpCidr.HostMask(bits, t.prefix);
            var network = IpMath.FromInt(value, t.bytes.Length == 4 ? IpVersion.V4 : IpVersion.V6);
            var text = $"{network}/{t.prefix}";
            return IpCidr.TryParse(text, out var parsed, out _) && parsed.ToString() == text
                && parsed.Network.Equals(network) && parsed.Contains(network) && parsed.Contains(parsed.LastAddress);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void AnyCidrWithHostBits_IsRejectedWithTheCanonicalSuggestion()
    {
        var gen =
            from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 4)
            from prefix in Gen.Choose(0, 31)
            select (bytes, prefix);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var address = new IPAddress(t.bytes);
            var hasHostBits = (IpMath.ToInt(address) & IpCidr.HostMask(32, t.prefix)) != 0;
            var ok = IpCidr.TryParse($"{address}/{t.prefix}", out _, out var error);
            return hasHostBits ? !ok && error.Contains("did you mean") : ok;
        }).QuickCheckThrowOnFailure();
    }
}
