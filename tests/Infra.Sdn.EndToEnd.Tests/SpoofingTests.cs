using Infra.TestHosts;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>Port security and tunnel admission with hostile raw packets: only the controller's MAC/IP per port, only keys the peer hosts.</summary>
[Collection(SdnCollection.Name)]
public sealed class SpoofingTests(SdnCluster cluster)
{
    private static bool Got(IReadOnlyList<string> lines, string payload) => lines.Any(l => l.StartsWith($"got {payload} ", StringComparison.Ordinal));

    [Fact]
    public void VmSendingWithAnotherPortsIpOrMac_IsDropped()
    {
        var t = cluster.Topology;
        var (a1, a2, a3) = (t["a1"], t["a2"], t["a3"]);
        using var remote = NetTool.Start(cluster.Ns("a2"), "udp-listen", "7000").Ready(); // across GRE
        using var local = NetTool.Start(cluster.Ns("b2"), "udp-listen", "7000").Ready();  // unrelated, just to be sure nothing leaks
        Send("a1", Frames.Udp(a2.Mac, a1.Mac, a3.V4, a2.V4, 7000, "forged-ip"));     // a3's IP, own MAC
        Send("a1", Frames.Udp(a2.Mac, a3.Mac, a1.V4, a2.V4, 7000, "forged-mac"));    // a3's MAC, own IP
        Send("a1", Frames.Udp(a2.Mac, a3.Mac, a3.V4, a2.V4, 7000, "forged-both"));   // all of a3, from a1's port
        Send("a1", Frames.Udp(a2.Mac, a1.Mac, "10.0.0.99", a2.V4, 7000, "unknown-ip"));
        Send("a1", Frames.Udp(a2.Mac, a1.Mac, a1.V4, a2.V4, 7000, "legit"));         // control: same path, own identity
        remote.WaitFor(l => l.StartsWith("got legit ", StringComparison.Ordinal), "the legitimate datagram");
        Thread.Sleep(500);
        var got = remote.Stop().Lines;
        Assert.True(Got(got, "legit"));
        foreach (var forged in (string[])["forged-ip", "forged-mac", "forged-both", "unknown-ip"]) Assert.False(Got(got, forged), forged + " was delivered");

        // The kernel path too: a foreign address configured in the guest, used as source.
        Cmd.InNs(cluster.Ns("a1"), "ip", "addr", "add", $"{a3.V4}/32", "dev", a1.Iface);
        try
        {
            Assert.NotEqual(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a1"), "ping", "-c", "2", "-W", "1", "-I", a3.V4, a2.V4], timeoutMs: 15000).Exit);
            Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a1"), "ping", "-c", "1", "-W", "2", "-I", a1.V4, a2.V4], timeoutMs: 15000).Exit);
        }
        finally { Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a1"), "ip", "addr", "del", $"{a3.V4}/32", "dev", a1.Iface]); }
        Assert.DoesNotContain(local.Stop().Lines, l => l.StartsWith("got", StringComparison.Ordinal));
    }

    /// <summary>
    /// a1 claims a3's address in ARP replies (broadcast gratuitous and unicast to a3 and a2). The
    /// responder answers requests itself and drops every reply a guest sends, so no VM ever sees the
    /// lie, and a3 still resolves a2 to a2's real MAC.
    /// </summary>
    [Fact]
    public void VmAnsweringArpForAnotherIp_NeverReachesOthers()
    {
        var t = cluster.Topology;
        var (a1, a2, a3) = (t["a1"], t["a2"], t["a3"]);
        using var sniffA3 = NetTool.Start(cluster.Ns("a3"), "sniff", a3.Iface).Ready();
        using var sniffA2 = NetTool.Start(cluster.Ns("a2"), "sniff", a2.Iface).Ready();
        Send("a1", Frames.Arp(Frames.Broadcast, a1.Mac, 2, a1.Mac, a2.V4, Frames.Broadcast, a2.V4)); // "10.0.0.2 is at a1"
        Send("a1", Frames.Arp(a3.Mac, a1.Mac, 2, a1.Mac, a2.V4, a3.Mac, a3.V4));
        Send("a1", Frames.Arp(a2.Mac, a1.Mac, 2, a1.Mac, a3.V4, a2.Mac, a2.V4));                     // "10.0.0.3 is at a1"
        Send("a1", Frames.Arp(Frames.Broadcast, a1.Mac, 1, a1.Mac, a2.V4, "00:00:00:00:00:00", a3.V4)); // a request with a forged sender
        Send("a1", Frames.Arp(a3.Mac, a1.Mac, 2, a1.Mac, a1.V4, a3.Mac, "10.0.0.77"));              // even a truthful reply is not forwarded
        Send("a1", Frames.Udp(a3.Mac, a1.Mac, a1.V4, a3.V4, 7000, "sniffer-check"));                 // control: the sniffer sees a1's legit frames
        Send("a1", Frames.Udp(a2.Mac, a1.Mac, a1.V4, a2.V4, 7000, "sniffer-check"));
        sniffA3.WaitFor(l => l.Contains("payload=sniffer-check"), "the control frame at a3");
        sniffA2.WaitFor(l => l.Contains("payload=sniffer-check"), "the control frame at a2");
        Thread.Sleep(300);
        var seen = sniffA3.Stop().Lines.Concat(sniffA2.Stop().Lines).ToList();
        // (a1's MAC may legitimately appear in ARP: the responder answers a3's own requests for 10.0.0.1 with it.)
        Assert.DoesNotContain(seen, l => l.StartsWith("arp", StringComparison.Ordinal)
            && (l.Contains($"sha={a1.Mac} spa={a2.V4} ") || l.Contains($"sha={a1.Mac} spa={a3.V4} ") || l.Contains("tpa=10.0.0.77")));

        Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a3"), "ip", "neigh", "flush", "all"]);
        Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a3"), "ping", "-c", "1", "-W", "2", a2.V4], timeoutMs: 10000).Exit);
        Assert.Equal(a2.Mac, cluster.NeighbourMac("a3", a2.V4));
    }

    /// <summary>
    /// GRE from the underlay, built by hand in host 3's namespace (its real tunnel source address):
    /// tenant A's key is admitted (host 3 hosts A), B's key and an unknown key are dropped at classify
    /// though the inner frames are perfect.
    /// </summary>
    [Fact]
    public void GreWithAKeyThePeerDoesNotHost_IsDropped()
    {
        var t = cluster.Topology;
        var (a4, a2, b1) = (t["a4"], t["a2"], t["b1"]);
        var h2 = OvsSandbox.UnderlayIp(1);
        using var toA2 = NetTool.Start(cluster.Ns("a2"), "udp-listen", "7000").Ready();
        using var toB1 = NetTool.Start(cluster.Ns("b1"), "udp-listen", "7000").Ready();
        var ns3 = cluster.Host(2).Namespace;
        NetTool.Run(ns3, 10000, "gre-send", h2, "5002", Frames.Udp(b1.Mac, "fa:16:3e:0b:00:99", "10.0.0.4", b1.V4, 7000, "key-of-b"), "3");
        NetTool.Run(ns3, 10000, "gre-send", h2, "4242", Frames.Udp(b1.Mac, "fa:16:3e:0b:00:99", "10.0.0.4", b1.V4, 7000, "unknown-key"), "3");
        NetTool.Run(ns3, 10000, "gre-send", h2, "4242", Frames.Udp(a2.Mac, a4.Mac, a4.V4, a2.V4, 7000, "unknown-key-a"), "3");
        NetTool.Run(ns3, 10000, "gre-send", h2, "5001", Frames.Udp(a2.Mac, a4.Mac, a4.V4, a2.V4, 7000, "key-of-a"), "3"); // control
        toA2.WaitFor(l => l.StartsWith("got key-of-a ", StringComparison.Ordinal), "the control GRE packet with A's key");
        Thread.Sleep(500);
        Assert.DoesNotContain(toB1.Stop().Lines, l => l.StartsWith("got", StringComparison.Ordinal));
        Assert.DoesNotContain(toA2.Stop().Lines, l => l.StartsWith("got unknown-key-a ", StringComparison.Ordinal));
    }

    private void Send(string vm, string frame) => NetTool.Run(cluster.Ns(vm), 10000, "raw-send", cluster.Topology[vm].Iface, frame, "3");
}
