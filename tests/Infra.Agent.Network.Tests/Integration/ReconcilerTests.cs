using System.Globalization;
using System.Text.RegularExpressions;
using Infra.Agent.Network.Flows;
using Infra.Agent.Network.Model;
using Infra.TestHosts;

namespace Infra.Agent.Network.Tests.Integration;

/// <summary>The reconciler against a real ovsdb-server + ovs-vswitchd (userspace datapath) in a namespace.</summary>
public sealed class ReconcilerTests : IDisposable
{
    private readonly OvsHost _host = new("rc");
    private static readonly TunnelPeer PeerB = new("host-b", "192.0.2.2"), PeerC = new("host-c", "192.0.2.3");

    [Fact]
    public async Task FirstRun_CreatesBridgePortsTunnelsAndFlows_SecondRunChangesNothing()
    {
        await using var agent = await Agent.StartAsync(_host);
        var spec = Specs.Host([PeerB, PeerC], "vm1");

        var first = await agent.Reconciler.ReconcileAsync(spec, Agent.Ct);
        Assert.NotEmpty(first.SwitchActions);
        Assert.Equal("netdev", _host.Vsctl("get", "Bridge", "br-int", "datapath_type").Trim());
        Assert.Equal("secure", _host.Vsctl("get", "Bridge", "br-int", "fail_mode").Trim());
        Assert.Equal("\"000002aa00000001\"", _host.Vsctl("get", "Bridge", "br-int", "other-config:datapath-id").Trim());
        Assert.Contains("dpid:000002aa00000001", _host.Ofctl("show", _host.OpenFlowTarget("br-int")));
        Assert.Equal("gre", _host.Vsctl("get", "Interface", PeerB.PortName, "type").Trim());
        Assert.Equal("flow", _host.Vsctl("get", "Interface", PeerB.PortName, "options:key").Trim().Trim('"'));
        Assert.Equal(PeerB.EffectiveOfPort.ToString(CultureInfo.InvariantCulture), _host.Vsctl("get", "Interface", PeerB.PortName, "ofport").Trim());
        Assert.Equal("port-vm1", _host.Vsctl("get", "Interface", "vm1", "external_ids:iface-id").Trim().Trim('"'));
        Assert.Equal(spec.Flows.Count, FlowDumpParser.Parse(_host.Ofctl("dump-flows", "--no-stats", _host.OpenFlowTarget("br-int"))).Count);

        var second = await agent.Reconciler.ReconcileAsync(spec, Agent.Ct);
        Assert.Empty(second.SwitchActions);
        Assert.Equal(FlowApplyMode.Unchanged, second.Flows.Mode);
        Assert.True(second.ChangedNothing);
    }

    [Fact]
    public async Task PortStates_ReportOfportsAndLinkFromMonitor()
    {
        await using var agent = await Agent.StartAsync(_host);
        await agent.Reconciler.ReconcileAsync(Specs.Host([PeerB], "vm1"), Agent.Ct);
        _host.Exec("ip", "link", "set", "vm1", "up");
        await WaitAsync(() => agent.Reconciler.PortStates("br-int").Any(s => s.InterfaceName == "vm1" && s.LinkUp),
            () => $"vm1 link up; replica: {string.Join("; ", agent.Reconciler.PortStates("br-int"))}; ovsdb: {_host.Vsctl("get", "Interface", "vm1", "link_state")}");
        var states = agent.Reconciler.PortStates("br-int");
        Assert.Equal(Specs.VmOfPort, states.Single(s => s.Owner == "port-vm1").OfPort);
        Assert.Equal(PeerB.EffectiveOfPort, states.Single(s => s.Owner == "tunnel:host-b").OfPort);
        Assert.DoesNotContain(states, s => s.InterfaceName == "br-int"); // not ours, not reported

        _host.Exec("ip", "link", "set", "vm1", "down");
        await WaitAsync(() => agent.Reconciler.PortStates("br-int").Any(s => s.InterfaceName == "vm1" && !s.LinkUp), "vm1 link down");
    }

    [Fact]
    public async Task NewReconcilerInstance_AdoptsEverything_WithoutReinstallingDesiredFlows()
    {
        var spec = Specs.Host([PeerB], "vm1");
        await using (var before = await Agent.StartAsync(_host)) await before.Reconciler.ReconcileAsync(spec, Agent.Ct);
        // A stale group that no one wants any more, as a crashed agent might leave behind.
        _host.Ofctl("add-flow", _host.OpenFlowTarget("br-int"), "cookie=0x99,table=5,priority=1,actions=drop");
        await Task.Delay(1500);

        await using var after = await Agent.StartAsync(_host); // "restart": new client, new replica, empty installed table
        var result = await after.Reconciler.ReconcileAsync(spec, Agent.Ct);
        Assert.Empty(result.SwitchActions);
        Assert.Equal(FlowApplyMode.Adopted, result.Flows.Mode);
        Assert.Equal([0x99UL], result.Flows.ChangedCookies);

        var dump = _host.Ofctl("dump-flows", _host.OpenFlowTarget("br-int"));
        Assert.DoesNotContain("cookie=0x99", dump);
        var durations = Regex.Matches(dump, @"duration=([0-9.]+)s").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(spec.Flows.Count, durations.Length);
        Assert.All(durations, d => Assert.True(d >= 1.0, $"a desired flow was reinstalled on adoption (age {d}s)"));

        var again = await after.Reconciler.ReconcileAsync(spec, Agent.Ct);
        Assert.True(again.ChangedNothing);
    }

    [Fact]
    public async Task KeepUndesired_AnEmptySpec_RemovesNoPortNorFlow_NeitherByDeltaNorOnAdoption()
    {
        var spec = Specs.Host([PeerB], "vm1");
        var empty = spec with { Peers = [], Ports = [], Flows = [], KeepUndesired = true };
        await using (var before = await Agent.StartAsync(_host))
        {
            await before.Reconciler.ReconcileAsync(spec, Agent.Ct);
            // What a controller that lost its database sends while the VM still runs: nothing goes.
            var delta = await before.Reconciler.ReconcileAsync(empty, Agent.Ct);
            Assert.Empty(delta.SwitchActions);
            Assert.Equal(spec.Flows.Count, FlowDumpParser.Parse(_host.Ofctl("dump-flows", "--no-stats", _host.OpenFlowTarget("br-int"))).Count);
        }
        await Task.Delay(1100);
        await using var after = await Agent.StartAsync(_host); // restarted agent: adoption from the switch
        var adopted = await after.Reconciler.ReconcileAsync(empty, Agent.Ct);
        Assert.Empty(adopted.SwitchActions);
        var dump = _host.Ofctl("dump-flows", _host.OpenFlowTarget("br-int"));
        var durations = Regex.Matches(dump, @"duration=([0-9.]+)s").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(spec.Flows.Count, durations.Length);
        Assert.All(durations, d => Assert.True(d >= 1.0, $"a flow was reinstalled (age {d}s)"));
        Assert.Contains("vm1", _host.Vsctl("list-ports", "br-int"));

        // Without the hold the same spec removes everything the agent owns.
        var removed = await after.Reconciler.ReconcileAsync(empty with { KeepUndesired = false }, Agent.Ct);
        Assert.Contains(removed.SwitchActions, a => a is Infra.Agent.Network.Switch.RemovePort);
        Assert.Empty(FlowDumpParser.Parse(_host.Ofctl("dump-flows", "--no-stats", _host.OpenFlowTarget("br-int"))));
    }

    [Fact]
    public async Task RemovedPeer_RemovesItsGrePort_AndKeepsOthers()
    {
        await using var agent = await Agent.StartAsync(_host);
        await agent.Reconciler.ReconcileAsync(Specs.Host([PeerB, PeerC], "vm1"), Agent.Ct);
        var result = await agent.Reconciler.ReconcileAsync(Specs.Host([PeerB], "vm1"), Agent.Ct);

        Assert.Single(result.SwitchActions);
        var ports = _host.Vsctl("list-ports", "br-int").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(PeerB.PortName, ports);
        Assert.Contains("vm1", ports);
        Assert.DoesNotContain(PeerC.PortName, ports);
        Assert.DoesNotContain($"output:{PeerC.EffectiveOfPort}", _host.Ofctl("dump-flows", _host.OpenFlowTarget("br-int")));
    }

    [Fact]
    public async Task DatabaseRestart_ReconcilerKeepsWorkingAfterResync()
    {
        await using var agent = await Agent.StartAsync(_host);
        await agent.Reconciler.ReconcileAsync(Specs.Host([PeerB], "vm1"), Agent.Ct);
        _host.KillDb();
        _host.StartDb();
        await WaitAsync(() => agent.Client.Sessions >= 2, "OVSDB reconnect");
        var result = await agent.Reconciler.ReconcileAsync(Specs.Host([PeerB, PeerC], "vm1"), Agent.Ct);
        Assert.Single(result.SwitchActions);
        Assert.Contains(PeerC.PortName, _host.Vsctl("list-ports", "br-int"));
    }

    [Fact]
    public async Task VswitchdRestart_LosesFlows_VerifiedPassReinstallsThem()
    {
        var spec = Specs.Host([PeerB], "vm1");
        await using var agent = await Agent.StartAsync(_host);
        await agent.Reconciler.ReconcileAsync(spec, Agent.Ct);
        _host.KillVswitchd();
        _host.StartVswitchd();
        Cmd.WaitUntil(() => Cmd.RunWithExit("ovs-ofctl", ["show", _host.OpenFlowTarget("br-int")]).Exit == 0, "br-int OpenFlow socket after restart");
        Assert.Empty(FlowDumpParser.Parse(_host.Ofctl("dump-flows", "--no-stats", _host.OpenFlowTarget("br-int"))));

        Assert.True((await agent.Reconciler.ReconcileAsync(spec, Agent.Ct)).ChangedNothing); // unverified pass trusts its table
        var verified = await agent.Reconciler.ReconcileAsync(spec, Agent.Ct, verifyFlows: true);
        Assert.Equal(FlowApplyMode.Adopted, verified.Flows.Mode);
        Assert.Equal(spec.Flows.Count, FlowDumpParser.Parse(_host.Ofctl("dump-flows", "--no-stats", _host.OpenFlowTarget("br-int"))).Count);
    }

    [Fact]
    public async Task PortDeletedBehindOurBack_IsRecreated()
    {
        var spec = Specs.Host([PeerB], "vm1");
        await using var agent = await Agent.StartAsync(_host);
        await agent.Reconciler.ReconcileAsync(spec, Agent.Ct);
        _host.Vsctl("del-port", "br-int", PeerB.PortName);
        await WaitAsync(() => agent.Reconciler.PortStates("br-int").All(s => s.InterfaceName != PeerB.PortName), "monitor sees the deletion");
        var result = await agent.Reconciler.ReconcileAsync(spec, Agent.Ct);
        Assert.IsType<Infra.Agent.Network.Switch.AddPort>(Assert.Single(result.SwitchActions));
        Assert.Equal(PeerB.EffectiveOfPort.ToString(CultureInfo.InvariantCulture), _host.Vsctl("get", "Interface", PeerB.PortName, "ofport").Trim());
    }

    private static Task WaitAsync(Func<bool> condition, string what) => WaitAsync(condition, () => what);

    private static async Task WaitAsync(Func<bool> condition, Func<string> what)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition(), $"timed out waiting for {what()}");
    }

    public void Dispose() => _host.Dispose();
}
