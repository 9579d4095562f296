using Infra.Flows.Flows;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Pipeline;

public sealed class ResponderStageTests
{
    [Fact]
    public void ArpRequest_ForARemotePort_IsAnsweredLocallyWithTheStandardSequence()
    {
        var f = Assert.Single(States.Compile(States.CrossHost()).InTable(Tables.Responder), x => x.MatchText.Contains("arp_tpa=10.0.0.2"));
        Assert.Equal("reg0=5001,arp,arp_op=1,arp_tpa=10.0.0.2", f.MatchText);
        Assert.Equal(
            "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:fa:16:3e:00:00:02->eth_src,set_field:2->arp_op," +
            "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]," +
            "set_field:fa:16:3e:00:00:02->arp_sha,set_field:10.0.0.2->arp_spa,IN_PORT",
            string.Join(",", f.Actions));
        Assert.Equal(Cookies.Port("p2"), f.Cookie);
    }

    [Fact]
    public void NeighborSolicitation_IsTurnedIntoAnAdvertisement_FinishedInTable8()
    {
        var set = States.Compile(States.CrossHost());
        var f = Assert.Single(set.InTable(Tables.Responder), x => x.MatchText.Contains("nd_target=fe80::f816:3eff:fe00:2"));
        var actions = string.Join(",", f.Actions);
        Assert.Contains("set_field:136->icmpv6_type", actions);
        Assert.Contains("set_field:2->nd_options_type", actions);
        Assert.EndsWith("resubmit(,8)", actions);
        var finish = Assert.Single(set.InTable(Tables.NdReply), x => x.Priority > 0);
        Assert.Equal("icmp6,icmpv6_type=136", finish.MatchText);
        Assert.Equal("move:NXM_OF_ETH_SRC[]->NXM_NX_ND_TLL[],IN_PORT", string.Join(",", finish.Actions));
    }

    [Fact]
    public void Responder_NeverOutputsAnywhereButTheAskingPort()
    {
        var set = States.Compile(States.CrossHost());
        foreach (var f in set.InTable(Tables.Responder).Concat(set.InTable(Tables.NdReply)))
            Assert.DoesNotContain(f.Actions, a => a is OutputPort or OutputReg);
    }

    [Fact]
    public void UnknownAddresses_HaveNoAnswer()
    {
        var lines = States.Compile(States.OnePort()).InTable(Tables.Responder).Select(f => f.MatchText).ToList();
        Assert.Equal(["reg0=5001,arp,arp_op=1,arp_tpa=10.0.0.1", "reg0=5001,icmp6,icmpv6_type=135,nd_target=fe80::f816:3eff:fe00:1", ""], lines);
    }
}
