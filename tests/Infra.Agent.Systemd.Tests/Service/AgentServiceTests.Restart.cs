using Infra.Agent.Systemd.Tests.Fixture;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task VmAndVolume_RunAsTheirOwnUnits_WithQuotaAndMemoryMax_AndSurviveTheAgentKilledMidStart_WhichSystemdRestarts()
    {
        var desired = Full(1, Volume("vol1"), VmOn("vm1", "vol1", cpuMhz: 1000, memoryMib: 128));
        await host.StartFreshAsync(Serve(() => desired));
        await WaitForAsync((_, m) => m.Ack?.Version == 1, "Ack v1");
        await WaitStatusAsync(1, s => VmIs(s, "vm1", InstanceState.Running) && VolumeIs(s, "vol1", VolumeState.InUse), full: false, "vm1 running on vol1");

        // The VM: its own transient unit in infra-vms.slice, running qemu, with the quota cpu_mhz buys.
        const string vmUnit = "infra-vm-vm1.service", volUnit = "infra-vol-vol1.service";
        Assert.Equal("active", host.Show(vmUnit, "ActiveState"));
        Assert.Equal("infra-vms.slice", host.Show(vmUnit, "Slice"));
        var qemu = host.SingleHostPid(vmUnit);
        Assert.StartsWith("qemu-system-", Path.GetFileName(AgentServiceRoot.CommandLine(qemu)[0]));
        // 1000 MHz on 2000 MHz cores: half a core, 500 ms of CPU per second; 100 ms periods of 50 ms.
        Assert.Equal(500_000, host.ShowNumber(vmUnit, "CPUQuotaPerSecUSec"));
        Assert.Equal("50000", File.ReadAllText(Path.Combine(host.CgroupDir(vmUnit, "cpu"), "cpu.cfs_quota_us")).Trim());
        Assert.Equal("100000", File.ReadAllText(Path.Combine(host.CgroupDir(vmUnit, "cpu"), "cpu.cfs_period_us")).Trim());
        // Guest memory plus the agent's default qemu overhead (ComputeOptions.MemoryOverheadMib = 256).
        const long memoryMax = (128 + 256) * 1024L * 1024;
        Assert.Equal(memoryMax, host.ShowNumber(vmUnit, "MemoryMax"));
        Assert.Equal(memoryMax, long.Parse(File.ReadAllText(Path.Combine(host.CgroupDir(vmUnit, "memory"), "memory.limit_in_bytes")).Trim()));

        // The volume: its own unit running qemu-storage-daemon, whose vhost-user-blk socket qemu uses.
        Assert.Equal("active", host.Show(volUnit, "ActiveState"));
        Assert.Equal("infra-vms.slice", host.Show(volUnit, "Slice"));
        var daemon = host.SingleHostPid(volUnit);
        Assert.Equal("qemu-storage-daemon", Path.GetFileName(AgentServiceRoot.CommandLine(daemon)[0]));
        var socket = AgentServiceRoot.StateDir + "/volumes/vol1/vhost.sock";
        Assert.Contains(AgentServiceRoot.CommandLine(qemu), a => a.Contains(socket));
        Assert.True(ConnectedUnixSockets(socket) >= 1, $"nobody is connected to {socket}");
        var (qemuStarted, daemonStarted) = (AgentServiceRoot.StartTime(qemu), AgentServiceRoot.StartTime(daemon));
        var agentPid = host.ShowNumber(Agent, "MainPID");
        var restarts = host.ShowNumber(Agent, "NRestarts");

        // A second VM is being started when the agent is SIGKILLed: as soon as its unit exists.
        desired = Full(2, Volume("vol1"), VmOn("vm1", "vol1", cpuMhz: 1000, memoryMib: 128), Volume("vol2"), VmOn("vm2", "vol2", cpuMhz: 500, memoryMib: 64));
        var session = host.Server!.Controller.Sessions.Values.MaxBy(s => s.Index)!;
        await session.SendAsync(Delta(2, 1, [Volume("vol2"), VmOn("vm2", "vol2", cpuMhz: 500, memoryMib: 64)]));
        await WaitUnitLoadedAsync("infra-vm-vm2.service");
        host.Systemctl("kill", "-s", "KILL", Agent);
        var ackedBeforeKill = host.Server.Controller.Received.Any(r => r.Message.Ack?.Version == 2);

        // Restart=always: systemd starts a new agent (RestartSec=1s), which becomes active (READY=1) again.
        await AgentServiceRoot.WaitUntilAsync(() => host.ShowNumber(Agent, "NRestarts") > restarts && host.Show(Agent, "ActiveState") == "active",
            Long, "systemd to restart the killed agent", () => host.Journal(Agent));
        Assert.NotEqual(agentPid, host.ShowNumber(Agent, "MainPID"));
        Assert.Equal("always", host.Show(Agent, "Restart"));

        // The first VM and its disk never noticed: same processes, same start times, still connected.
        Assert.Equal(qemu, host.SingleHostPid(vmUnit));
        Assert.Equal(qemuStarted, AgentServiceRoot.StartTime(qemu));
        Assert.Equal(daemon, host.SingleHostPid(volUnit));
        Assert.Equal(daemonStarted, AgentServiceRoot.StartTime(daemon));
        Assert.True(ConnectedUnixSockets(socket) >= 1, $"qemu lost its disk socket {socket} across the agent's restart");

        // The new agent adopts vm1 and reports it RUNNING in its first full report; vm2's start is finished.
        var (s2, _) = await WaitForAsync((s, m) => s >= 2 && m.Hello is not null, "Hello from the restarted agent");
        var vmPidInRoot = host.ShowNumber(vmUnit, "MainPID");
        await WaitStatusAsync(s2, s => s.Vms.Any(v => v.Id == "vm1" && v.State == InstanceState.Running && v.Pid == vmPidInRoot) && VolumeIs(s, "vol1", VolumeState.InUse),
            full: true, "vm1 adopted and RUNNING (with its unit's MainPID) in a full report");
        await WaitStatusAsync(s2, s => VmIs(s, "vm2", InstanceState.Running) && VolumeIs(s, "vol2", VolumeState.InUse), full: false, "vm2, interrupted mid-start, running");
        Assert.Equal("active", host.Show("infra-vm-vm2.service", "ActiveState"));
        Assert.Single(host.HostPids("infra-vm-vm2.service"));
        Assert.Equal(250_000, host.ShowNumber("infra-vm-vm2.service", "CPUQuotaPerSecUSec"));
        Assert.Equal(qemu, host.SingleHostPid(vmUnit));
        Assert.False(ackedBeforeKill, "the agent had already acked v2 when it was killed: the kill was not mid-operation");
        Assert.DoesNotContain(host.Server.Controller.Received, r => r.Message.Nack is not null);
    }

    /// <summary>Polls systemd (over D-Bus, fast) until it knows <paramref name="unit"/>.</summary>
    private async Task WaitUnitLoadedAsync(string unit)
    {
        var deadline = DateTime.UtcNow + Long;
        while (true)
        {
            try { await host.Systemd.GetUnitAsync(unit); return; }
            catch (Infra.Systemd.Manager.NoSuchUnitException) when (DateTime.UtcNow < deadline) { await Task.Delay(5); }
        }
    }

    /// <summary>/proc/net/unix rows for <paramref name="path"/> in state 03 (connected). The root shares the host's network namespace.</summary>
    private static int ConnectedUnixSockets(string path) =>
        File.ReadLines("/proc/net/unix").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f.Length >= 8 && f[^1] == path && f[5] == "03");
}
