using Infra.Flows.Flows;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Pipeline;

public sealed class ForwardingStageTests
{
    [Fact]
    public void RemoteMac_GetsTheTenantKeyAndLeavesByThePeersTunnel_OnlyFromVms()
    {
        var f = Assert.Single(States.Compile(States.CrossHost()).InTable(Tables.Forwarding), x => x.Cookie == Cookies.Port("p2"));
        Assert.Equal("reg0=5001,reg3=1,dl_dst=fa:16:3e:00:00:02", f.MatchText);
        Assert.Equal("set_field:5001->tun_id,output:100", string.Join(",", f.Actions));
    }

    [Fact]
    public void LocalMac_SetsTheDestinationRegister_ThenIngress()
    {
        var f = Assert.Single(States.Compile(States.OnePort()).InTable(Tables.Forwarding), x => x.Cookie == Cookies.Port("p1"));
        Assert.Equal("reg0=5001,dl_dst=fa:16:3e:00:00:01", f.MatchText);
        Assert.Equal("set_field:1->reg2,goto_table:6", string.Join(",", f.Actions));
    }

    [Fact]
    public void BroadcastAndMulticast_AreDroppedAboveEveryUnicastFlow()
    {
        var t5 = States.Compile(States.CrossHost()).InTable(Tables.Forwarding).ToList();
        var guard = Assert.Single(t5, f => f.MatchText == "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00");
        Assert.IsType<DropAction>(guard.Actions.Single());
        Assert.All(t5.Where(f => f != guard), f => Assert.True(f.Priority < guard.Priority));
    }

    [Fact]
    public void OverlappingTenants_SameMacAndIp_AreKeyedApart()
    {
        var s = States.OnePort() with
        {
            Tenants = [States.T1, States.T2],
            LocalPorts = [States.Local("a", 1, "fa:16:3e:00:00:01", ["10.0.0.1"]), States.Local("b", 2, "fa:16:3e:00:00:01", ["10.0.0.1"], "t2")],
        };
        var t5 = States.Compile(s).InTable(Tables.Forwarding).Select(f => f.Render()).ToList();
        Assert.Contains(t5, l => l.Contains("reg0=5001,dl_dst=fa:16:3e:00:00:01,actions=set_field:1->reg2"));
        Assert.Contains(t5, l => l.Contains("reg0=5002,dl_dst=fa:16:3e:00:00:01,actions=set_field:2->reg2"));
    }
}
