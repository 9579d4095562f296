using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Tests.Model;

public class MacAddressTests
{
    [Theory]
    [InlineData("02:ab:cd:ef:01:23", "02:ab:cd:ef:01:23", true)]
    [InlineData("02:AB:CD:EF:01:23", "02:ab:cd:ef:01:23", true)]
    [InlineData("02-ab-cd-ef-01-23", "02:ab:cd:ef:01:23", true)]
    [InlineData("00:50:56:01:02:03", "00:50:56:01:02:03", false)]
    public void TryParse_WhenUnicast_ReturnsCanonicalForm(string text, string canonical, bool local)
    {
        Assert.True(MacAddress.TryParse(text, out var mac, out var error), error);
        Assert.Equal(canonical, mac.ToString());
        Assert.Equal(local, mac.IsLocallyAdministered);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", "multicast")]
    [InlineData("ff:ff:ff:ff:ff:ff", "multicast")]
    [InlineData("00:00:00:00:00:00", "all-zero")]
    [InlineData("02:ab:cd:ef:01", "six hex octets")]
    [InlineData("02:ab:cd:ef:01:2g", "six hex octets")]
    [InlineData("02ab.cdef.0123", "six hex octets")]
    [InlineData("02:ab-cd:ef:01:23", "six hex octets")]
    public void TryParse_WhenNotAUsableNicAddress_Fails(string text, string fragment)
    {
        Assert.False(MacAddress.TryParse(text, out _, out var error));
        Assert.Contains(fragment, error);
    }
}
