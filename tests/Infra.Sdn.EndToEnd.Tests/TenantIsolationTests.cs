using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>Tenants A and B both use 10.0.0.0/24 with the same addresses; each reaches only its own VMs.</summary>
[Collection(SdnCollection.Name)]
public sealed class TenantIsolationTests(SdnCluster cluster)
{
    [Fact]
    public void SameAddressInTwoTenants_EachTenantReachesOnlyItsOwnVm()
    {
        // 10.0.0.2 is A's a2 on host 2 and B's b2 on host 1; 10.0.0.1 is A's a1 on host 1 and B's b1 on host 2.
        Assert.Equal("ok:a2", NetTool.TcpConnect(cluster.Ns("a1"), "10.0.0.2", 5000)); // not b2, though b2 sits on a1's host
        Assert.Equal("ok:b2", NetTool.TcpConnect(cluster.Ns("b1"), "10.0.0.2", 5000));
        Assert.Equal("ok:b1", NetTool.TcpConnect(cluster.Ns("b2"), "10.0.0.1", 5000)); // not a1, its neighbour on host 1
        Assert.Equal("ok:a1", NetTool.TcpConnect(cluster.Ns("a2"), "10.0.0.1", 5000));
        Assert.Equal(cluster.Topology["a2"].Mac, cluster.NeighbourMac("a1", "10.0.0.2"));
        Assert.Equal(cluster.Topology["b1"].Mac, cluster.NeighbourMac("b2", "10.0.0.1"));
        // B has no 10.0.0.3 or 10.0.0.4: A's a3/a4 do not exist for B (no ARP answer, nothing reaches them).
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("b2"), "10.0.0.3", 5000, timeoutSeconds: 2));
        Assert.Equal("timeout", NetTool.TcpConnect(cluster.Ns("b1"), "10.0.0.4", 5000, timeoutSeconds: 2));
    }

    /// <summary>A guest that addresses another tenant's MAC directly (raw frame, right IP) gets nowhere, on the same host or across.</summary>
    [Fact]
    public void FrameAddressedToAnotherTenantsMac_IsNotDelivered()
    {
        var t = cluster.Topology;
        var a1 = t["a1"];
        using var b2 = NetTool.Start(cluster.Ns("b2"), "udp-listen", "7000").Ready(); // B, host 1 (a1's host)
        using var b1 = NetTool.Start(cluster.Ns("b1"), "udp-listen", "7000").Ready(); // B, host 2
        using var a2 = NetTool.Start(cluster.Ns("a2"), "udp-listen", "7000").Ready(); // A, host 2: control
        Send(Frames.Udp(t["b2"].Mac, a1.Mac, a1.V4, t["b2"].V4, 7000, "to-b2"));
        Send(Frames.Udp(t["b1"].Mac, a1.Mac, a1.V4, t["b1"].V4, 7000, "to-b1"));
        Send(Frames.Udp(t["a2"].Mac, a1.Mac, a1.V4, t["a2"].V4, 7000, "to-a2"));
        a2.WaitFor(l => l.StartsWith("got to-a2", StringComparison.Ordinal), "the control datagram at a2");
        Thread.Sleep(500);
        Assert.DoesNotContain(b2.Stop().Lines, l => l.StartsWith("got", StringComparison.Ordinal));
        Assert.DoesNotContain(b1.Stop().Lines, l => l.StartsWith("got", StringComparison.Ordinal));
    }

    private void Send(string frame) => NetTool.Run(cluster.Ns("a1"), 10000, "raw-send", cluster.Topology["a1"].Iface, frame, "3");
}
