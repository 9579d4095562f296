using static Infra.Flows.Tests.Ovs.PrivateOvs;

namespace Infra.Flows.Tests.Ovs;

/// <summary>
/// The remote-policy-conjunction scenario installed in a real ovs-vswitchd and probed with
/// ofproto/trace: the switch's own classifier (conjunctions, conntrack recirculation via
/// --ct-next, the ARP responder) decides, not our reading of the flows. w1 (ofport 1) and a1
/// (ofport 3) are local; w3 is remote behind the GRE port 100. Web admits tcp/22 from admin only.
/// </summary>
public sealed class PipelineTraceTests(PipelineTraceTests.Switch sw) : IClassFixture<PipelineTraceTests.Switch>
{
    private const string A1 = "in_port=3,dl_src=fa:16:3e:00:02:01";
    private const string New = "trk,new";
    private readonly PrivateOvs _ovs = sw.Ovs;

    /// <summary>One switch for the class: the tests only trace, they never change it.</summary>
    public sealed class Switch : IDisposable
    {
        public PrivateOvs Ovs { get; } = new();

        public Switch()
        {
            try
            {
                Ovs.AddPort("w1", 1, "internal");
                Ovs.AddPort("a1", 3, "internal");
                Ovs.AddPort("gre-h2", 100, "gre", "options:remote_ip=192.0.2.2 options:key=flow");
                Ovs.InstallScenario("remote-policy-conjunction");
            }
            catch
            {
                Ovs.Dispose();
                throw;
            }
        }

        public void Dispose() => Ovs.Dispose();
    }

    [Fact]
    public void NewTcp22_FromAdminToWeb_PassesBothConjunctions_AndIsDelivered()
    {
        var t = _ovs.Trace($"{A1},tcp,dl_dst=fa:16:3e:00:01:01,nw_src=10.0.2.1,nw_dst=10.0.1.1,tp_dst=22", New, New);
        Assert.Contains("-> output port is 1", t);
        Assert.Contains("ct(commit,zone=1)", LastDatapathActions(t));
    }

    [Fact]
    public void NewTcp23_FromAdminToWeb_IsDroppedByIngressPolicy()
    {
        var t = _ovs.Trace($"{A1},tcp,dl_dst=fa:16:3e:00:01:01,nw_src=10.0.2.1,nw_dst=10.0.1.1,tp_dst=23", New, New);
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }

    [Fact]
    public void NewTcp22_FromWebToWeb_IsDroppedByEgressPolicy()
    {
        var t = _ovs.Trace("in_port=1,dl_src=fa:16:3e:00:01:01,tcp,dl_dst=fa:16:3e:00:02:01,nw_src=10.0.1.1,nw_dst=10.0.2.1,tp_dst=22", New);
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }

    [Fact]
    public void EstablishedReply_FromWebToAdmin_Passes()
    {
        var t = _ovs.Trace("in_port=1,dl_src=fa:16:3e:00:01:01,tcp,dl_dst=fa:16:3e:00:02:01,nw_src=10.0.1.1,nw_dst=10.0.2.1,tp_src=22",
            "trk,est,rpl", "trk,est,rpl");
        Assert.Contains("-> output port is 3", t);
    }

    [Fact]
    public void TrafficToARemotePort_LeavesByItsHostsTunnelWithTheTenantKey()
    {
        var t = _ovs.Trace($"{A1},tcp,dl_dst=fa:16:3e:00:01:03,nw_src=10.0.2.1,nw_dst=10.0.1.3,tp_dst=22", New);
        Assert.Contains("set_field:0x1389->tun_id", t);
        Assert.Contains("output:100", t);
    }

    [Fact]
    public void SpoofedSource_IsDroppedByPortSecurity()
    {
        var t = _ovs.Trace($"{A1},tcp,dl_dst=fa:16:3e:00:01:01,nw_src=10.0.1.2,nw_dst=10.0.1.1,tp_dst=22", New, New);
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }

    [Fact]
    public void ArpRequest_ForARemotePort_IsAnsweredBackOutOfTheAskingPort()
    {
        var t = _ovs.Trace($"{A1},dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.0.2.1,arp_sha=fa:16:3e:00:02:01,arp_tpa=10.0.1.3");
        Assert.Contains("IN_PORT", t);
        Assert.Contains("arp_sha=fa:16:3e:00:01:03", t.Split('\n').Single(l => l.StartsWith("Final flow:", StringComparison.Ordinal)));
        Assert.DoesNotContain("output:100", t);
    }

    [Fact]
    public void NeighborSolicitation_ForARemotePort_IsAnsweredWithAnAdvertisementCarryingItsMac()
    {
        var t = _ovs.Trace($"{A1},dl_dst=33:33:ff:00:01:03,icmp6,ipv6_src=fe80::f816:3eff:fe00:201,ipv6_dst=ff02::1:ff00:103," +
            "nw_ttl=255,icmpv6_type=135,nd_target=fe80::f816:3eff:fe00:103,nd_sll=fa:16:3e:00:02:01");
        var final = t.Split('\n').Single(l => l.StartsWith("Final flow:", StringComparison.Ordinal));
        Assert.Contains("icmp_type=136", final);
        Assert.Contains("dl_src=fa:16:3e:00:01:03,dl_dst=fa:16:3e:00:02:01", final);
        Assert.Contains("ipv6_src=fe80::f816:3eff:fe00:103,ipv6_dst=fe80::f816:3eff:fe00:201", final);
        Assert.Contains("nd_tll=fa:16:3e:00:01:03", final);
        Assert.Contains("IN_PORT", t);
        Assert.Contains("nd_options_type=2", LastDatapathActions(t));
    }

    [Fact]
    public void TunnelPacket_WithAKeyOfNoTenantHere_IsDropped()
    {
        var t = _ovs.Trace("in_port=100,tun_id=999,dl_dst=fa:16:3e:00:01:01,ip,nw_dst=10.0.1.1");
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }
}
