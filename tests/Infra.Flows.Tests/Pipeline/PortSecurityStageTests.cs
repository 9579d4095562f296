using Infra.Flows.Flows;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Pipeline;

public sealed class PortSecurityStageTests
{
    private static List<Flow> Table1(Infra.Flows.Model.HostState s) => States.Compile(s).InTable(Tables.PortSecurity).ToList();

    [Fact]
    public void Ipv4_AdmitsOnlyOwnMacAndAddress()
    {
        var ip = Table1(States.OnePort()).Where(f => f.Match.Contains(new ProtoMatch(ProtoKind.Ip))).ToList();
        var f = Assert.Single(ip);
        Assert.Equal("reg1=1,ip,dl_src=fa:16:3e:00:00:01,nw_src=10.0.0.1", f.MatchText);
        Assert.Equal("goto_table:3", f.Actions.Single().Render());
    }

    [Fact]
    public void Arp_RequiresOwnShaAndSpa_AndGoesToResponder()
    {
        var f = Assert.Single(Table1(States.OnePort()), x => x.Match.Contains(new ProtoMatch(ProtoKind.Arp)));
        Assert.Equal("reg1=1,arp,dl_src=fa:16:3e:00:00:01,arp_spa=10.0.0.1,arp_sha=fa:16:3e:00:00:01", f.MatchText);
        Assert.Equal("goto_table:2", f.Actions.Single().Render());
    }

    [Fact]
    public void Ipv6_AdmitsTheLinkLocalDerivedFromTheMac()
    {
        var v6 = Table1(States.OnePort()).Where(f => f.Match.Contains(new ProtoMatch(ProtoKind.Ipv6))).Select(f => f.MatchText);
        Assert.Contains("reg1=1,ipv6,dl_src=fa:16:3e:00:00:01,ipv6_src=fe80::f816:3eff:fe00:1", v6);
    }

    [Fact]
    public void NeighborDiscovery_OwnAddressesOutrankTheGuard_WhichOutranksGenericIpv6()
    {
        var t1 = Table1(States.OnePort());
        var ns = Assert.Single(t1, f => f.Match.Contains(new Icmpv6TypeMatch(135)) && f.Cookie == Cookies.Port("p1"));
        Assert.Contains(new NdSllMatch(Mac.Parse("fa:16:3e:00:00:01")), ns.Match);
        var guard = Assert.Single(t1, f => f.Match.Contains(new Icmpv6TypeMatch(135)) && f.Cookie == Cookies.Base);
        var generic = Assert.Single(t1, f => f.Match.Contains(new ProtoMatch(ProtoKind.Ipv6)));
        Assert.True(ns.Priority > guard.Priority && guard.Priority > generic.Priority);
        Assert.IsType<DropAction>(guard.Actions.Single());
        // Router advertisements from a VM never pass.
        Assert.Contains(t1, f => f.Match.Contains(new Icmpv6TypeMatch(134)) && f.Actions.Single() is DropAction);
    }

    [Fact]
    public void Mac_LinkLocal_IsModifiedEui64()
    {
        Assert.Equal("fe80::f816:3eff:fe12:3456", Mac.Parse("fa:16:3e:12:34:56").LinkLocal().ToString());
        Assert.Equal("fe80::200:ff:fe00:1", Mac.Parse("00:00:00:00:00:01").LinkLocal().ToString());
    }
}
