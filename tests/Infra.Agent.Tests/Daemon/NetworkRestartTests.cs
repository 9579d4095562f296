using System.Text.RegularExpressions;
using Infra.Agent.Tests.Support;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>The real daemon against a private OVS: desired ports, tunnels and flows land on br-int, and survive an agent SIGKILL untouched.</summary>
public class NetworkRestartTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DesiredNetwork_IsInstalled_AndAgentRestartDoesNotReinstallFlows()
    {
        await using var ovs = await OvsSandbox.StartAsync();
        await using var server = await ControllerServer.StartAsync();
        var tap = "tp" + Guid.NewGuid().ToString("N")[..8];
        server.Controller.Script = s => s.Hello.AppliedVersion == 1 ? Task.CompletedTask : s.SendAsync(Full(1,
            Port("p1", "vm-x", tap, 5), Tunnel("host-2", "192.0.2.2"),
            Flows(0x10, (0, 100, "in_port=5", "drop"), (0, 0, "", "drop"))));
        await using var agent = new AgentDaemon(server.Url, $"{{enabled: true, ovsdb: 'unix:{ovs.DbSocket}', ovs_run_dir: '{ovs.Dir}', bridge: br-int, datapath_type: netdev, datapath_id: '0x00000000000000a1'}}");
        agent.Start();
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1: " + agent.Log());

        var ports = await ovs.VsctlAsync("list-ports", "br-int");
        Assert.Contains(tap, ports);
        Assert.Matches(new Regex("^gre-[0-9a-f]{8}$", RegexOptions.Multiline), ports);
        Assert.Equal("\"00000000000000a1\"", (await ovs.VsctlAsync("get", "bridge", "br-int", "other-config:datapath-id")).Trim());
        var flows = await ovs.OfctlAsync("dump-flows", ovs.Mgmt("br-int"), "cookie=0x10/-1");
        Assert.Equal(2, Regex.Matches(flows, "cookie=0x10").Count);
        var installedAt = DateTime.UtcNow;

        await agent.KillAsync();
        agent.Start();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello after restart");
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        // Flows that were re-added would have a duration shorter than the time since the first install.
        var after = await ovs.OfctlAsync("dump-flows", ovs.Mgmt("br-int"), "cookie=0x10/-1");
        var elapsed = (DateTime.UtcNow - installedAt).TotalSeconds;
        var durations = Regex.Matches(after, @"duration=([0-9.]+)s").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(durations.Count == 2, "expected the 2 flows of cookie 0x10:\n" + after + "\n" + agent.Log());
        Assert.All(durations, d => Assert.True(d >= elapsed - 0.5, $"flow re-added after restart: duration {d}s < {elapsed:F1}s\n{after}\n{agent.Log()}"));
        Assert.Contains(tap, await ovs.VsctlAsync("list-ports", "br-int"));
    }

    [Fact]
    public async Task TunnelPortDeletedByHand_IsRecreatedByThePeriodicPass_WithoutANewDesiredState()
    {
        await using var ovs = await OvsSandbox.StartAsync();
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = s => s.Hello.AppliedVersion == 1 ? Task.CompletedTask : s.SendAsync(Full(1, Tunnel("host-2", "192.0.2.2")));
        await using var agent = new AgentDaemon(server.Url, $"{{enabled: true, ovsdb: 'unix:{ovs.DbSocket}', ovs_run_dir: '{ovs.Dir}', bridge: br-int, datapath_type: netdev, datapath_id: '0x00000000000000a2'}}");
        agent.Start();
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1: " + agent.Log());
        var gre = Regex.Match(await ovs.VsctlAsync("list-ports", "br-int"), "^gre-[0-9a-f]{8}$", RegexOptions.Multiline).Value;
        Assert.NotEmpty(gre);

        await ovs.VsctlAsync("del-port", "br-int", gre);
        // reconcile_interval_seconds is 1 here: bounded at 60 passes.
        for (var i = 0; i < 120 && !(await ovs.VsctlAsync("list-ports", "br-int")).Contains(gre); i++) await Task.Delay(500);
        Assert.True((await ovs.VsctlAsync("list-ports", "br-int")).Contains(gre), "the deleted tunnel port was not re-created: " + agent.Log());
    }

    [Fact]
    public async Task EmptyFullState_WhileItsVmRuns_RemovesNoTapPortNorFlow_UntilTheVmIsTombstoned()
    {
        await using var ovs = await OvsSandbox.StartAsync();
        await using var server = await ControllerServer.StartAsync();
        var tap = "tap" + Guid.NewGuid().ToString("N")[..12];
        server.Controller.Script = s => s.Index == 1 ? s.SendAsync(Full(1, Vm("vm1", Infra.V1.InstanceState.Running, "p1"), Port("p1", "vm1", tap, 5),
            Flows(0x10, (0, 100, "in_port=5", "drop"), (0, 0, "", "drop")))) : Task.CompletedTask;
        await using var agent = new AgentDaemon(server.Url, $"{{enabled: true, ovsdb: 'unix:{ovs.DbSocket}', ovs_run_dir: '{ovs.Dir}', bridge: br-int, datapath_type: netdev, datapath_id: '0x00000000000000a3'}}");
        try
        {
            agent.Start();
            await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1: " + agent.Log());
            for (var i = 0; i < 200 && agent.QemuPid("vm1") is null; i++) await Task.Delay(50);
            var qemu = agent.QemuPid("vm1") ?? throw new InvalidOperationException("vm1 did not start: " + agent.Log());
            var installedAt = DateTime.UtcNow;

            // What a controller with an empty database sends: the VM is an orphan, its network stays.
            await server.Controller.Sessions[1].SendAsync(Full(2));
            await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 2, Long, "Ack v2: " + agent.Log());
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(qemu, agent.QemuPid("vm1"));
            Assert.Contains(tap, await ovs.VsctlAsync("list-ports", "br-int"));
            var after = await ovs.OfctlAsync("dump-flows", ovs.Mgmt("br-int"), "cookie=0x10/-1");
            var elapsed = (DateTime.UtcNow - installedAt).TotalSeconds;
            var durations = Regex.Matches(after, @"duration=([0-9.]+)s").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, durations.Count);
            Assert.All(durations, d => Assert.True(d >= elapsed - 0.5, $"flow re-added: duration {d}s < {elapsed:F1}s"));

            // The tombstone removes the VM, and with it its port and flows.
            await server.Controller.Sessions[1].SendAsync(Full(3, VmDeleted("vm1")));
            // Port and flows go in one pass but not in one step (OVSDB rows first, then the flow bundle): wait for both.
            async Task<(string Ports, string Flows)> SwitchAsync() => (await ovs.VsctlAsync("list-ports", "br-int"), await ovs.OfctlAsync("dump-flows", ovs.Mgmt("br-int")));
            var now = await SwitchAsync();
            for (var i = 0; i < 120 && (now.Ports.Contains(tap) || now.Flows.Contains("cookie=0x10")); i++)
            {
                await Task.Delay(500);
                now = await SwitchAsync();
            }
            Assert.False(now.Ports.Contains(tap), "the tap port is still on br-int after the tombstone:\n" + agent.Log());
            Assert.False(now.Flows.Contains("cookie=0x10"), "cookie 0x10 flows are still installed after the tombstone:\n" + now.Flows + "\n" + agent.Log());
            // (The VM itself goes in the background, after its graceful shutdown: NothingLostTests covers that.)
        }
        finally
        {
            try { System.Diagnostics.Process.Start("ip", ["link", "del", tap])?.WaitForExit(5000); } catch (Exception) { }
        }
    }
}
