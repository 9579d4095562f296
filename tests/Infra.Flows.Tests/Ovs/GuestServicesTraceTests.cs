using static Infra.Flows.Tests.Ovs.PrivateOvs;

namespace Infra.Flows.Tests.Ovs;

/// <summary>
/// The dhcp scenario in a real ovs-vswitchd, probed with ofproto/trace: p1 (ofport 1000) and p2
/// (1001) are VMs, the responder is at ofport 99. A guest's DHCP and RS reach only the responder,
/// tagged with the asking port; the responder's answers reach only the port their tag names.
/// The policy admits any IPv4 between the two VMs, so what is dropped here is dropped by design,
/// not for want of a rule.
/// </summary>
public sealed class GuestServicesTraceTests(GuestServicesTraceTests.Switch sw) : IClassFixture<GuestServicesTraceTests.Switch>
{
    private const string P1 = "in_port=1000,dl_src=fa:16:3e:00:00:01";
    private readonly PrivateOvs _ovs = sw.Ovs;

    public sealed class Switch : IDisposable
    {
        public PrivateOvs Ovs { get; } = new();

        public Switch()
        {
            try
            {
                Ovs.AddPort("p1", 1000, "internal");
                Ovs.AddPort("p2", 1001, "internal");
                Ovs.AddPort("infra-dhcp", 99, "internal");
                Ovs.InstallScenario("dhcp");
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
    public void DhcpDiscover_FromAGuest_GoesOnlyToTheResponder_TaggedWithItsOfport()
    {
        var t = _ovs.Trace($"{P1},udp,dl_dst=ff:ff:ff:ff:ff:ff,nw_src=0.0.0.0,nw_dst=255.255.255.255,udp_src=68,udp_dst=67");
        Assert.Contains("dst=0e:74:00:00:03:e8", LastDatapathActions(t));
        Assert.Contains("output:99", t);
        Assert.DoesNotContain("output:1001", t);
    }

    [Fact]
    public void RouterSolicitation_FromAGuest_GoesToTheResponder()
    {
        var t = _ovs.Trace($"{P1},icmp6,dl_dst=33:33:00:00:00:02,ipv6_src=fe80::f816:3eff:fe00:1,ipv6_dst=ff02::2,icmpv6_type=133,icmpv6_code=0");
        Assert.Contains("dst=0e:74:00:00:03:e8", LastDatapathActions(t));
    }

    [Fact]
    public void DhcpDiscover_WithAForeignSourceMac_IsDropped()
    {
        var t = _ovs.Trace("in_port=1000,dl_src=fa:16:3e:00:00:09,udp,dl_dst=ff:ff:ff:ff:ff:ff,nw_src=0.0.0.0,nw_dst=255.255.255.255,udp_src=68,udp_dst=67");
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }

    [Fact]
    public void ResponderAnswer_TaggedForP1_IsDeliveredToP1Only_WithP1sMac()
    {
        var t = _ovs.Trace("in_port=99,dl_src=0e:69:6e:66:72:61,dl_dst=0e:74:00:00:03:e8,udp,nw_src=10.0.0.1,nw_dst=255.255.255.255,udp_src=67,udp_dst=68");
        Assert.Contains("dst=fa:16:3e:00:00:01", LastDatapathActions(t));
        Assert.Contains("output:1000", t);
        Assert.DoesNotContain("output:1001", t);
    }

    [Fact]
    public void ResponderFrame_ToAPlainMacOrNotDhcp_IsDropped()
    {
        Assert.Equal("Datapath actions: drop", LastDatapathActions(_ovs.Trace(
            "in_port=99,dl_src=0e:69:6e:66:72:61,dl_dst=fa:16:3e:00:00:02,udp,nw_src=10.0.0.1,nw_dst=10.0.0.6,udp_src=67,udp_dst=68")));
        Assert.Equal("Datapath actions: drop", LastDatapathActions(_ovs.Trace(
            "in_port=99,dl_src=0e:69:6e:66:72:61,dl_dst=0e:74:00:00:03:e8,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.5,tp_dst=22")));
    }

    [Fact]
    public void DhcpServerFrame_FromAGuest_IsDropped_EvenToAnotherGuestThePolicyAdmits()
    {
        var t = _ovs.Trace($"{P1},udp,dl_dst=fa:16:3e:00:00:02,nw_src=10.0.0.5,nw_dst=10.0.0.6,udp_src=67,udp_dst=68");
        Assert.Equal("Datapath actions: drop", LastDatapathActions(t));
    }

    [Fact]
    public void DhcpClientFrame_UnicastToAnotherGuest_StillOnlyReachesTheResponder()
    {
        var t = _ovs.Trace($"{P1},udp,dl_dst=fa:16:3e:00:00:02,nw_src=10.0.0.5,nw_dst=10.0.0.6,udp_src=68,udp_dst=67");
        Assert.Contains("dst=0e:74:00:00:03:e8", LastDatapathActions(t));
        Assert.Contains("output:99", t);
        Assert.DoesNotContain("output:1001", t);
    }
}
