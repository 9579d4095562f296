using Infra.Flows.Flows;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Pipeline;

public sealed class ClassifyStageTests
{
    [Fact]
    public void LocalPort_IsTaggedWithTenantSourceAndOrigin_ThenPortSecurity()
    {
        var f = States.Compile(States.OnePort()).InTable(Tables.Classify).Single(x => x.Match.Contains(new InPortMatch(1)));
        Assert.Equal("set_field:5001->reg0,set_field:1->reg1,set_field:1->reg3,goto_table:1", string.Join(",", f.Actions));
        Assert.Equal(Cookies.Port("p1"), f.Cookie);
    }

    [Fact]
    public void Tunnel_AcceptsOnlyKeysOfTenantsThePeerHosts()
    {
        var flows = States.Compile(States.CrossHost()).InTable(Tables.Classify).Where(x => x.Match.OfType<TunIdMatch>().Any()).ToList();
        // h3 is a peer but hosts no port of t1: nothing from it is accepted.
        var f = Assert.Single(flows);
        Assert.Equal("in_port=100,tun_id=5001", f.MatchText);
        Assert.Equal("set_field:5001->reg0,set_field:2->reg3,goto_table:5", string.Join(",", f.Actions));
        Assert.Equal(Cookies.Tunnel("h2"), f.Cookie);
    }

    [Fact]
    public void Classify_EndsInDrop_AndDropsVlanTaggedFrames()
    {
        var t0 = States.Compile(States.OnePort()).InTable(Tables.Classify).ToList();
        Assert.Equal("table=0,priority=0,cookie=0x0100000000000000,actions=drop", t0[^1].Render());
        Assert.Contains(t0, f => f.MatchText == "vlan_tci=0x1000/0x1000" && f.Actions.Single() is DropAction && f.Priority == Priorities.Guard);
    }

    [Fact]
    public void EveryTable_HasADropTableMiss()
    {
        var set = States.Compile(States.OnePort());
        foreach (var t in Tables.All)
            Assert.Contains(set.InTable(t), f => f.Priority == 0 && f.Match.Count == 0 && f.Actions.Single() is DropAction);
    }
}
