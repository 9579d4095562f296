using System.Diagnostics;
using System.Text.RegularExpressions;
using Infra.Agent.Network.Flows;
using Infra.Agent.Network.Model;
using Infra.TestHosts;

namespace Infra.Agent.Network.Tests.Integration;

/// <summary>Two hosts joined by a veth underlay, a "VM" namespace on each, GRE key 5001 between them.</summary>
public sealed class TwoHostTrafficTests : IDisposable
{
    private readonly OvsSandbox _sandbox = new(2);

    private static TunnelPeer PeerOf(int other) => new($"host-{other + 1}", OvsSandbox.UnderlayIp(other));

    [Fact]
    public async Task CookieGroupReplace_UnderContinuousPing_LosesNoPackets()
    {
        var (h1, h2) = (_sandbox.Hosts[0], _sandbox.Hosts[1]);
        await using var a1 = await Agent.StartAsync(h1);
        await using var a2 = await Agent.StartAsync(h2);
        await a1.Reconciler.ReconcileAsync(Specs.Host([PeerOf(1)], "vm1"), Agent.Ct);
        await a2.Reconciler.ReconcileAsync(Specs.Host([PeerOf(0)], "vm2"), Agent.Ct);
        var vm1 = h1.AttachVm("vm1", "10.0.0.1/24");
        var vm2 = h2.AttachVm("vm2", "10.0.0.2/24");
        Cmd.InNs(vm1, "ping", "-c", "3", "-W", "5", "10.0.0.2"); // path works before we start measuring

        var ping = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", vm1, "ping", "-i", "0.01", "-c", "400", "-W", "2", "10.0.0.2"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = ping.StandardOutput.ReadToEndAsync();
        var replaced = 0;
        try
        {
            // Swap the "from VM" group between two different shapes (one rule at priority 10 vs. two
            // rules at priority 20): every swap deletes all old rules of the group and adds new ones.
            for (var i = 0; i < 40 && !ping.HasExited; i++)
            {
                var r = await a1.Reconciler.ReconcileAsync(Specs.Host([PeerOf(1)], "vm1", alternateFromVm: i % 2 == 0), Agent.Ct);
                Assert.Equal(FlowApplyMode.Delta, r.Flows.Mode);
                Assert.Equal([Specs.FromVm], r.Flows.ChangedCookies);
                replaced++;
                await Task.Delay(50);
            }
            Assert.True(ping.WaitForExit(30000), "ping did not finish");
        }
        finally { if (!ping.HasExited) ping.Kill(); }
        var text = await output;
        var m = Regex.Match(text, @"(\d+) packets transmitted, (\d+) received");
        Assert.True(m.Success, text);
        Assert.True(replaced >= 10, $"only {replaced} replacements happened during the ping");
        Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
        // Every swap removed the old shape: the switch holds exactly the last desired set, no leftovers.
        var last = Specs.Host([PeerOf(1)], "vm1", alternateFromVm: (replaced - 1) % 2 == 0);
        Assert.Equal(last.Flows.Count, FlowDumpParser.Parse(h1.Ofctl("dump-flows", "--no-stats", h1.OpenFlowTarget("br-int"))).Count);
        _ = vm2;
    }

    [Fact]
    public async Task TunnelPorts_ReportUpAndCarryTraffic_BothWays()
    {
        var (h1, h2) = (_sandbox.Hosts[0], _sandbox.Hosts[1]);
        await using var a1 = await Agent.StartAsync(h1);
        await using var a2 = await Agent.StartAsync(h2);
        await a1.Reconciler.ReconcileAsync(Specs.Host([PeerOf(1)], "vm1"), Agent.Ct);
        await a2.Reconciler.ReconcileAsync(Specs.Host([PeerOf(0)], "vm2"), Agent.Ct);
        var vm1 = h1.AttachVm("vm1", "10.0.0.1/24");
        var vm2 = h2.AttachVm("vm2", "10.0.0.2/24");
        Cmd.InNs(vm1, "ping", "-c", "2", "-W", "5", "10.0.0.2");
        Cmd.InNs(vm2, "ping", "-c", "2", "-W", "5", "10.0.0.1");
        var gre = a1.Reconciler.PortStates("br-int").Single(s => s.Owner == "tunnel:host-2");
        Assert.Equal(PeerOf(1).EffectiveOfPort, gre.OfPort);

        // Deny by default: removing the tenant's tunnel group cuts the path.
        var noTunnel = Specs.Host([PeerOf(1)], "vm1") is var s ? s with { Flows = s.Flows.Where(f => f.Cookie != Specs.FromTunnel).ToArray() } : null!;
        await a1.Reconciler.ReconcileAsync(noTunnel, Agent.Ct);
        Assert.NotEqual(0, Cmd.RunWithExit("ip", ["netns", "exec", vm1, "ping", "-c", "1", "-W", "1", "10.0.0.2"]).Exit);
    }

    public void Dispose() => _sandbox.Dispose();
}
