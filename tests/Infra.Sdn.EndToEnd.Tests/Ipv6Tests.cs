using Infra.TestHosts;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>
/// IPv6 with real guests: the responder's neighbour advertisement (built from the guest's own
/// solicitation by rewriting it in place) must be one a Linux kernel accepts, across hosts and on one
/// host, for global and link-local addresses.
/// </summary>
[Collection(SdnCollection.Name)]
public sealed class Ipv6Tests(SdnCluster cluster)
{
    private bool Ping6(string from, string to, int tries = 4)
    {
        for (var i = 0; i < tries; i++)
            if (Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns(from), "ping", "-6", "-c", "1", "-W", "2", to], timeoutMs: 10000).Exit == 0) return true;
        return false;
    }

    [Fact]
    public void Ping6_AcrossHostsAndOnOneHost_ResolvesThroughTheNdResponder()
    {
        var t = cluster.Topology;
        foreach (var vm in (string[])["a1", "a2", "b1"])
            Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns(vm), "ip", "-6", "neigh", "flush", "all"]);
        Assert.True(Ping6("a1", t["a2"].V6), "a1 -> a2 over GRE");
        Assert.True(Ping6("a1", t["a3"].V6), "a1 -> a3 on host 1");
        Assert.True(Ping6("b1", t["b2"].V6), "b1 -> b2 over GRE (tenant B)");
        // The kernels took the advertisements: the entries carry the controller's MACs.
        Assert.Equal(t["a2"].Mac, cluster.NeighbourMac("a1", t["a2"].V6));
        Assert.Equal(t["a3"].Mac, cluster.NeighbourMac("a1", t["a3"].V6));
        Assert.Equal(t["a1"].Mac, cluster.NeighbourMac("a2", t["a1"].V6)); // a2 resolved a1 to answer
        Assert.Equal(t["b2"].Mac, cluster.NeighbourMac("b1", t["b2"].V6));
    }

    [Fact]
    public void Ping6_LinkLocalDerivedFromTheMac_Works()
    {
        var t = cluster.Topology;
        // The fabric knows each port's EUI-64 link-local; the guest's kernel derived the same one from the MAC.
        var ll = LinkLocal(t["a2"].Mac);
        Assert.Contains(ll, Cmd.InNs(cluster.Ns("a2"), "ip", "-6", "addr", "show", "dev", t["a2"].Iface));
        Assert.True(Ping6("a1", $"{ll}%{t["a1"].Iface}"), "a1 -> a2's link-local over GRE");
        Assert.Equal(t["a2"].Mac, cluster.NeighbourMac("a1", ll));
    }

    [Fact]
    public void Tcp6_SameHost_PassesEgressThenIngressConntrack()
    {
        var t = cluster.Topology;
        Assert.Equal("ok:a3", NetTool.TcpConnect(cluster.Ns("a1"), t["a3"].V6, 5000));
        Assert.Equal("ok:a2", NetTool.TcpConnect(cluster.Ns("a1"), t["a2"].V6, 5000));
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a1"), t["a3"].V6, 5001, timeoutSeconds: 2));
    }

    private static string LinkLocal(string mac)
    {
        var b = mac.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();
        b[0] ^= 2;
        return $"fe80::{b[0] << 8 | b[1]:x}:{b[2]:x}ff:fe{b[3]:x2}:{b[4] << 8 | b[5]:x}";
    }
}
