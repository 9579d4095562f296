using Infra.TestHosts;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;
using Xunit.Abstractions;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>Same tenant, allowed by policy: ICMP and TCP across hosts over GRE and between VMs on one host.</summary>
[Collection(SdnCollection.Name)]
public sealed class ConnectivityTests(SdnCluster cluster, ITestOutputHelper output)
{
    private bool Ping(string from, string to, int tries = 3)
    {
        for (var i = 0; i < tries; i++)
            if (Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns(from), "ping", "-c", "1", "-W", "2", to], timeoutMs: 10000).Exit == 0) return true;
        return false;
    }

    [Fact]
    public void SameTenant_PingAndTcp_AcrossHostsOverGre()
    {
        var t = cluster.Topology;
        Assert.True(Ping("a1", t["a2"].V4), "a1 (host 1) -> a2 (host 2) ping");
        Assert.True(Ping("a2", t["a1"].V4), "a2 (host 2) -> a1 (host 1) ping");
        Assert.True(Ping("a4", t["a1"].V4), "a4 (host 3) -> a1 (host 1) ping");
        Assert.Equal("ok:a2", NetTool.TcpConnect(cluster.Ns("a1"), t["a2"].V4, 5000));
        Assert.Equal("ok:a1", NetTool.TcpConnect(cluster.Ns("a2"), t["a1"].V4, 5000));
        // The guest learned the peer's real MAC from the local responder.
        Assert.Equal(t["a2"].Mac, cluster.NeighbourMac("a1", t["a2"].V4));
        output.WriteLine($"flows per host: {string.Join(", ", cluster.FlowCounts.Select((c, i) => $"{Topology.HostId(i)}={c}"))}");
    }

    /// <summary>
    /// Local-to-local passes conntrack twice in the tenant's zone (egress commit, then ingress lookup
    /// of the same packet): the SYN must still meet the ingress rule (tcp/5000 from a-web) and the
    /// replies must come back as established both ways.
    /// </summary>
    [Fact]
    public void SameTenant_SameHost_PingAndTcpThroughEgressThenIngressConntrack()
    {
        var t = cluster.Topology;
        Assert.True(Ping("a1", t["a3"].V4), "a1 -> a3 (both host 1) ping");
        Assert.Equal("ok:a3", NetTool.TcpConnect(cluster.Ns("a1"), t["a3"].V4, 5000));
        Assert.Equal("ok:a1", NetTool.TcpConnect(cluster.Ns("a3"), t["a1"].V4, 5000));
        // tcp/5001 has no ingress rule: the same-host SYN passes egress but dies at ingress.
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a1"), t["a3"].V4, 5001, timeoutSeconds: 2));
    }
}
