using System.Text.RegularExpressions;
using Infra.Agent.Network.Flows;
using Infra.Sdn.EndToEnd.Tests.Cluster;
using Infra.TestHosts;
using Xunit.Abstractions;

namespace Infra.Sdn.EndToEnd.Tests;

/// <summary>The switches hold exactly the compiler's flows, and a restarted agent adopts them without touching anything.</summary>
[Collection(SdnCollection.Name)]
public sealed class FlowTableTests(SdnCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public void InstalledTables_AreExactlyTheCompiledFlowSets()
    {
        for (var h = 0; h < SdnCluster.HostCount; h++)
        {
            var host = cluster.Host(h);
            var dumped = FlowDumpParser.Parse(host.Ofctl("dump-flows", "--no-stats", host.OpenFlowTarget("br-int")));
            var desired = cluster.DesiredSpec(h).Flows;
            output.WriteLine($"{Topology.HostId(h)}: {desired.Count} compiled flows, {dumped.Count} on the switch, {desired.Select(f => f.Cookie).Distinct().Count()} cookie groups");
            Assert.Equal(desired.Count, dumped.Count);
            Assert.Equal(desired.Select(f => f.Cookie).Distinct().Order(), dumped.Select(f => f.Cookie).Distinct().Order());
            foreach (var g in desired.GroupBy(f => f.Cookie))
                Assert.Equal(g.Count(), dumped.Count(f => f.Cookie == g.Key));
        }
    }

    [Fact]
    public async Task RunningAgent_VerifyPass_FindsNoDriftAndChangesNothing()
    {
        for (var h = 0; h < SdnCluster.HostCount; h++)
        {
            var r = await cluster.VerifyAsync(h);
            Assert.True(r.ChangedNothing, $"host {h + 1}: {r}");
            Assert.Equal(FlowApplyMode.Unchanged, r.Flows.Mode);
        }
    }

    /// <summary>After an agent restart the compiled flows are recomputed, found on the switch by cookie, and adopted: no row changes, no group removed, traffic unaffected.</summary>
    [Fact]
    public async Task RestartedAgent_AdoptsTheCompiledFlows_WithoutChanges()
    {
        var a2 = cluster.Topology["a2"].V4;
        Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a1"), "ping", "-c", "1", "-W", "2", a2], timeoutMs: 10000).Exit);
        var before = PacketCount(0);
        Assert.True(before > 0, "the switch has counted no packets yet");
        var r = await cluster.ReconcileWithFreshAgentAsync(0);
        // Adoption left the rules in place: a re-added rule would restart its counters at zero.
        Assert.True(PacketCount(0) >= before, $"flow counters went back from {before} to {PacketCount(0)}: adoption re-installed rules");
        Assert.Empty(r.SwitchActions);
        Assert.Equal(FlowApplyMode.Adopted, r.Flows.Mode);
        Assert.Equal(0, r.Flows.Deleted);
        Assert.Empty(r.Flows.ChangedCookies);
        Assert.Equal(cluster.DesiredSpec(0).Flows.Select(f => f.Cookie).Distinct().Order(), r.Flows.CookiesFoundOnSwitch);
        Assert.Equal(0, Cmd.RunWithExit("ip", ["netns", "exec", cluster.Ns("a1"), "ping", "-c", "1", "-W", "2", a2], timeoutMs: 10000).Exit);
    }

    private long PacketCount(int h)
    {
        var host = cluster.Host(h);
        return Regex.Matches(host.Ofctl("dump-flows", host.OpenFlowTarget("br-int")), @"n_packets=(\d+)").Sum(m => long.Parse(m.Groups[1].Value));
    }
}
