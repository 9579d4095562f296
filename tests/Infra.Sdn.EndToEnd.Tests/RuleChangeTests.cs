using Infra.Agent.Network.Flows;
using Infra.Flows.Flows;
using Infra.Flows.Model;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>Policy edits reach the switches as per-cookie deltas without touching established connections.</summary>
[Collection(SdnCollection.Name)]
public sealed class RuleChangeTests(SdnCluster cluster)
{
    [Fact]
    public async Task AddingAndRemovingRules_KeepsEstablishedStream_AndGatesOnlyNewConnections()
    {
        var original = cluster.Topology;
        var t = original;
        var (a1ns, a2ip) = (cluster.Ns("a1"), t["a2"].V4);
        var web = t.Policies.Single(p => p.Id == "a-web");
        Assert.Equal("timeout", NetTool.TcpConnect(a1ns, a2ip, 6000, timeoutSeconds: 2)); // no rule for 6000 yet

        // R1 (tcp/5000 from a-web) allows this stream.
        using var stream = NetTool.Start(a1ns, "stream", a2ip, "5000").Ready();
        try
        {
            WaitTicks(stream, 5);

            // Add R2 (tcp/6000 from a-web) and widen R1 to 5000-5001: still allows the stream.
            var widened = web with
            {
                Rules = web.Rules.Select(r => r.PortMin == 5000 && r.EtherType == EtherType.V4 && r.RemotePolicy == "a-web" ? r with { PortMax = 5001 } : r)
                    .Append(new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 6000, 6000, RemotePolicy: "a-web")).ToList(),
            };
            var results = await cluster.ApplyAsync(t.WithPolicy(widened));
            var policyCookie = Cookies.Policy(5001);
            // Only tenant A's policy group changed, as a delta, on the hosts with an a-web port (1 and 2).
            // Host 3 has only a4 (a-client): ingress rules of a-web compile to nothing there.
            foreach (var r in results.Take(2))
            {
                Assert.Equal(FlowApplyMode.Delta, r.Flows.Mode);
                Assert.Equal([policyCookie], r.Flows.ChangedCookies);
            }
            Assert.Equal(FlowApplyMode.Unchanged, results[2].Flows.Mode);
            WaitTicks(stream, 20);
            Assert.Equal("ok:a2", NetTool.TcpConnect(a1ns, a2ip, 6000));
            Assert.Equal("ok:a2", NetTool.TcpConnect(a1ns, a2ip, 5001));

            // Remove R2 (and the widening): new connections to 6000 are dropped again, the stream flows on.
            await cluster.ApplyAsync(t);
            WaitTicks(stream, 20);
            Assert.Equal("timeout", NetTool.TcpConnect(a1ns, a2ip, 6000, timeoutSeconds: 2));
            Assert.Equal("timeout", NetTool.TcpConnect(a1ns, a2ip, 5001, timeoutSeconds: 2));
            WaitTicks(stream, 10);
        }
        finally
        {
            if (!ReferenceEquals(cluster.Topology, original)) await cluster.ApplyAsync(original);
        }
        var (exit, lines) = stream.Stop();
        Assert.True(exit == 0, "the stream broke: " + string.Join("\n", lines.TakeLast(5)));
        Assert.Contains(lines, l => l.StartsWith("done ", StringComparison.Ordinal));
    }

    /// <summary>Waits until the stream has echoed <paramref name="more"/> x 10 further messages (each within 3 s, or the tool fails).</summary>
    private static void WaitTicks(BackgroundTool stream, int more)
    {
        var last = LastTick(stream);
        stream.WaitFor(_ => LastTick(stream) >= last + more * 10, $"{more * 10} more echoes on the long-lived stream", 15000);
    }

    private static int LastTick(BackgroundTool stream) =>
        stream.Lines.Where(l => l.StartsWith("tick ", StringComparison.Ordinal)).Select(l => int.Parse(l[5..])).DefaultIfEmpty(0).Max();
}
