using System.Diagnostics;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// "Nothing lost", against the real daemon, qemu and qemu-storage-daemon (supervised runner, no
/// OVS): a VM on a cloned volume keeps running (same qemu, same storage daemon) when the agent's
/// saved desired state is damaged, and when a controller that lost its database sends a full state
/// without it; only a tombstone (VmSpec.deleted) removes it.
/// </summary>
public sealed class NothingLostTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-lost-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Resource Volume() => new()
    {
        Volume = new VolumeSpec { Id = "vol1", SizeBytes = 64 << 20, BaseImageId = "img1", Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } },
    };

    private static Resource Guest()
    {
        var r = Vm("vm1");
        r.Vm.VolumeIds.Add("vol1");
        return r;
    }

    private async Task<(ControllerServer Server, AgentDaemon Agent, int Qemu, int Daemon)> StartGuestAsync(Func<ScriptedSession, Task> script)
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var pool = Directory.CreateDirectory(Path.Combine(_dir, "pool")).FullName;
        Run("qemu-img", "create", "-q", "-f", "qcow2", Path.Combine(images, "img1.qcow2"), "64M");
        var server = await ControllerServer.StartAsync();
        server.Controller.Script = script;
        var agent = new AgentDaemon(server.Url, extraYaml: $"image_dir: {images}\nstorage_pools: [{{name: p1, path: {pool}}}]");
        agent.Start();
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1 (log: " + agent.Log() + ")");
        var daemon = agent.StorageDaemonPid("vol1") ?? throw new InvalidOperationException("no storage daemon for vol1: " + agent.Log());
        var (_, running) = await server.Controller.WaitForAsync((_, m) => m.Status?.Vms.Any(v => v.Id == "vm1" && v.State == InstanceState.Running && v.Pid > 0) == true, Long, "vm1 RUNNING");
        return (server, agent, running.Status.Vms.First(v => v.Id == "vm1").Pid, daemon);
    }

    [Fact]
    public async Task DamagedStateFile_AgentRestartedWhileControllerDown_StopsNothing_HoldsUntilTheControllersFullState()
    {
        var (server, agent, qemu, daemon) = await StartGuestAsync(s => s.Index == 1 ? s.SendAsync(Full(1, Volume(), Guest())) : Task.CompletedTask);
        await using var _s = server;
        await using var _a = agent;
        var (qemuStarted, daemonStarted) = (AgentDaemon.StartTime(qemu), AgentDaemon.StartTime(daemon));

        await agent.KillAsync();
        await server.StopAsync();
        var file = Path.Combine(agent.StateDir, "desired-state.pb");
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;                       // checksum mismatch: a damaged file
        File.WriteAllBytes(file, bytes);
        agent.Start();

        // Many 1 s passes would go by; a destroy would have killed qemu after its graceful timeout.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.True(agent.IsRunning, "the agent gave up: " + agent.Log());
        Assert.Equal(qemu, agent.QemuPid("vm1"));
        Assert.Equal(qemuStarted, AgentDaemon.StartTime(qemu));
        Assert.Equal(daemon, agent.StorageDaemonPid("vol1"));
        Assert.Equal(daemonStarted, AgentDaemon.StartTime(daemon));
        Assert.Contains("Enforcing nothing until the controller sends a full desired state", agent.Log());

        // The controller is back: the agent says it holds, and reports the VM it runs as an orphan.
        await server.RestartAsync();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello when the controller is back");
        Assert.Equal(0UL, hello.Hello.AppliedVersion);
        var (_, held) = await server.Controller.WaitForAsync((s, m) => s == session && m.Status is { Full: true } st && st.Held.Length > 0, Long, "a full status report saying it holds");
        Assert.Contains("checksum", held.Status.Held);
        var vm = Assert.Single(held.Status.Vms, v => v.Id == "vm1");
        Assert.True(vm.Orphan);
        Assert.Equal((InstanceState.Running, qemu), (vm.State, vm.Pid));

        // The full state lifts the hold: the VM is adopted as it runs, not restarted.
        await server.Controller.Sessions[session].SendAsync(Full(2, Volume(), Guest()));
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 2, Long, "Ack v2 (log: " + agent.Log() + ")");
        await server.Controller.WaitForAsync((s, m) => s == session && m.Status is { } st && st.Held.Length == 0
            && st.Vms.Any(v => v.Id == "vm1" && !v.Orphan && v.State == InstanceState.Running && v.Pid == qemu), Long, "vm1 RUNNING, no longer orphan, not held");
        Assert.Equal(qemuStarted, AgentDaemon.StartTime(qemu));
        Assert.Equal(daemon, agent.StorageDaemonPid("vol1"));
        Assert.Equal(daemonStarted, AgentDaemon.StartTime(daemon));
    }

    [Fact]
    public async Task FullStateWithoutARunningVm_TouchesNothing_ReportsItOrphan_OnlyATombstoneRemovesIt()
    {
        var (server, agent, qemu, daemon) = await StartGuestAsync(s => s.Index == 1 ? s.SendAsync(Full(1, Volume(), Guest())) : Task.CompletedTask);
        await using var _s = server;
        await using var _a = agent;
        var session = server.Controller.Sessions[1];

        // What a controller with an empty database sends.
        await session.SendAsync(Full(2));
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 2, Long, "Ack v2 (log: " + agent.Log() + ")");
        await server.Controller.WaitForAsync((_, m) => m.Status?.Vms.Any(v => v.Id == "vm1" && v.Orphan && v.State == InstanceState.Running && v.Pid == qemu) == true, Long, "vm1 reported orphan");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(qemu, agent.QemuPid("vm1"));
        Assert.Equal(daemon, agent.StorageDaemonPid("vol1"));

        // The explicit order removes it, and the agent says so.
        await session.SendAsync(Full(3, VmDeleted("vm1")));
        await server.Controller.WaitForAsync((_, m) => m.Status?.Vms.Any(v => v.Id == "vm1" && v.Deleted) == true, Long, "vm1 reported deleted (log: " + agent.Log() + ")");
        Assert.False(ProcessInspector.IsAlive(qemu));
        for (var i = 0; i < 100 && agent.StorageDaemonPid("vol1") is not null; i++) await Task.Delay(50);
        Assert.Null(agent.StorageDaemonPid("vol1"));
        Assert.True(File.Exists(Path.Combine(_dir, "pool", "vol1.qcow2")), "the volume's file must stay (only a purge deletes data)");
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException($"{file} hung"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
    }
}
