using Infra.Flows.Flows;

namespace Infra.Flows.Tests.Model;

public sealed class CookiesTests
{
    [Theory]
    [InlineData(OwnerKind.Base, "0x0100000000000000")]
    [InlineData(OwnerKind.Tenant, "0x0200000000001389")]
    [InlineData(OwnerKind.Policy, "0x0500000000001389")]
    public void Layout_KindInTopByte_IdBelow(OwnerKind kind, string expected)
    {
        var cookie = kind switch
        {
            OwnerKind.Base => Cookies.Base,
            OwnerKind.Tenant => Cookies.Tenant(5001),
            _ => Cookies.Policy(5001),
        };
        Assert.Equal(expected, $"0x{cookie:x16}");
        Assert.Equal(kind, Cookies.KindOf(cookie));
    }

    [Fact]
    public void PortAndTunnelCookies_AreStableHashesOfTheId()
    {
        // FNV-1a-64("p1"), computed independently (Python) — fixed forever: agents adopt flows after restarts by recomputing it.
        Assert.Equal(0x08d59707b575eabaUL & Cookies.IdMask, Cookies.IdOf(Cookies.Port("p1")));
        Assert.Equal(OwnerKind.Port, Cookies.KindOf(Cookies.Port("p1")));
        Assert.Equal(OwnerKind.Tunnel, Cookies.KindOf(Cookies.Tunnel("h2")));
        Assert.NotEqual(Cookies.Port("p1"), Cookies.Port("p2"));
    }
}
