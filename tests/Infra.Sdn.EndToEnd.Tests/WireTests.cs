using Infra.TestHosts;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;
using Xunit.Abstractions;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>What the underlay sees: tenant traffic only inside GRE, and never an ARP of a VM.</summary>
[Collection(SdnCollection.Name)]
public sealed class WireTests(SdnCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public void VmsResolvingEachOther_PutNoArpOnTheUnderlay()
    {
        var t = cluster.Topology;
        var sniffers = new List<BackgroundTool>();
        try
        {
            for (var h = 0; h < SdnCluster.HostCount; h++)
            {
                sniffers.Add(NetTool.Start(cluster.Host(h).Namespace, "sniff", cluster.UnderlayNic(h)));
                sniffers[^1].Ready();
            }
            foreach (var vm in (string[])["a1", "a2", "a3", "a4", "b1", "b2"])
                Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns(vm), "ip", "neigh", "flush", "all"]);
            foreach (var (from, to) in (ValueTuple<string, string>[])[("a1", "a2"), ("a4", "a1"), ("a2", "a3"), ("b2", "b1"), ("b1", "b2")])
                Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns(from), "ping", "-c", "2", "-W", "2", t[to].V4], timeoutMs: 15000).Exit);
            // Every VM resolved its peers (the neighbour entries are the real MACs) ...
            Assert.Equal(t["a2"].Mac, cluster.NeighbourMac("a1", t["a2"].V4));
            Assert.Equal(t["b1"].Mac, cluster.NeighbourMac("b2", t["b1"].V4));
            Thread.Sleep(300);
        }
        finally
        {
            foreach (var s in sniffers) { s.Stop(); s.Dispose(); }
        }
        var lines = sniffers.SelectMany(s => s.Lines).ToList();
        var gre = lines.Where(l => l.StartsWith("gre ", StringComparison.Ordinal)).ToList();
        output.WriteLine($"underlay frames seen: {lines.Count}, GRE: {gre.Count}; sample: {gre.FirstOrDefault()}");
        // ... the pings crossed the wire in GRE with the tenants' keys (so the capture works) ...
        Assert.Contains(gre, l => l.Contains("key=5001 inner=[ip proto=1 10.0.0.1>10.0.0.2"));
        Assert.Contains(gre, l => l.Contains("key=5002 inner=[ip proto=1 10.0.0.2>10.0.0.1"));
        // ... and not one ARP of theirs did, neither tunnelled nor bare: the responder answered locally.
        Assert.DoesNotContain(lines, l => l.Contains("inner=[arp"));
        Assert.DoesNotContain(lines, l => l.StartsWith("arp", StringComparison.Ordinal) && l.Contains("spa=10.0.0."));
        // Nothing floods: no broadcast or multicast frame (ARP, ND, MLD, ...) is ever tunnelled.
        Assert.DoesNotContain(gre, l => System.Text.RegularExpressions.Regex.Match(l, @"inner=\[.* dst=([0-9a-f]{2}):").Groups[1].Value is { Length: 2 } o && (Convert.ToByte(o, 16) & 1) == 1);
    }
}
