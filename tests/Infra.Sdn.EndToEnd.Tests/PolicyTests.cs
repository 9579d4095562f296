using Infra.TestHosts;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>Deny by default: what no rule allows is dropped silently; replies of allowed connections pass.</summary>
[Collection(SdnCollection.Name)]
public sealed class PolicyTests(SdnCluster cluster)
{
    [Fact]
    public void PortWithoutRule_TcpIsDropped_TimesOutRatherThanRefused()
    {
        var a2 = cluster.Topology["a2"].V4;
        Assert.Equal("ok:a2", NetTool.TcpConnect(cluster.Ns("a1"), a2, 5000));
        // a2 listens on 5001 too, but no rule admits it: the SYN vanishes (no RST, no ICMP).
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a1"), a2, 5001, timeoutSeconds: 2));
        // Nothing listens on 5999 and no rule admits it either: still a timeout, never "refused".
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a1"), a2, 5999, timeoutSeconds: 2));
    }

    /// <summary>a4 (host 3) has egress rules only: its own connections work both ways, nobody can open one to it.</summary>
    [Fact]
    public void OutboundOnlyPolicy_OwnConnectionsCarryRepliesBack_InboundNewConnectionsDropped()
    {
        var t = cluster.Topology;
        Assert.Equal("ok:a2", NetTool.TcpConnect(cluster.Ns("a4"), t["a2"].V4, 5000)); // greeting + echo came back
        Assert.Equal("ok:a1", NetTool.TcpConnect(cluster.Ns("a4"), t["a1"].V4, 5000));
        Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a4"), "ping", "-c", "2", "-W", "2", t["a2"].V4], timeoutMs: 15000).Exit);
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a2"), t["a4"].V4, 5000, timeoutSeconds: 2));
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("a1"), t["a4"].V4, 6000, timeoutSeconds: 2));
        Assert.NotEqual(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a2"), "ping", "-c", "2", "-W", "1", t["a4"].V4], timeoutMs: 15000).Exit);
    }
}
