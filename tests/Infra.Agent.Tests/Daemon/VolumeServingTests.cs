using System.Diagnostics;
using System.Text.Json;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// Volumes end to end against the real daemon: a desired volume cloned from a base image in
/// image_dir is served by its own qemu-storage-daemon (detached, supervised runner), the VM's qemu
/// connects to its vhost-user-blk socket, and an agent SIGKILLed and restarted adopts both the
/// storage daemon and qemu (same PIDs, same start times).
/// </summary>
public sealed class VolumeServingTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-vol-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Resource ClonedVolume(string id, string image) => new()
    {
        Volume = new VolumeSpec { Id = id, SizeBytes = 64 << 20, BaseImageId = image, Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } },
    };

    private static Resource VmOn(string id, params string[] volumes)
    {
        var r = Vm(id);
        // Two vCPUs: the disk device then asks for two virtqueues, which the storage daemon's export
        // must offer (a single-queue export made every multi-vCPU VM fail to start).
        r.Vm.Vcpus = 2;
        r.Vm.CpuMhz = 1000;
        r.Vm.VolumeIds.AddRange(volumes);
        return r;
    }

    [Fact]
    public async Task ClonedVolume_IsServedToTheVm_AndTheAgentRestartAdoptsDaemonAndQemu()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var pool = Directory.CreateDirectory(Path.Combine(_dir, "pool")).FullName;
        var baseImage = Path.Combine(images, "img1.qcow2");
        Run("qemu-img", "create", "-q", "-f", "qcow2", baseImage, "64M");

        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = s => s.Hello.AppliedVersion == 1 ? Task.CompletedTask : s.SendAsync(Full(1, ClonedVolume("vol1", "img1"), VmOn("vm1", "vol1")));
        await using var agent = new AgentDaemon(server.Url, extraYaml: $"image_dir: {images}\nstorage_pools: [{{name: p1, path: {pool}}}]");
        agent.Start();

        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1 (log: " + agent.Log() + ")");
        var daemonPid = agent.StorageDaemonPid("vol1") ?? throw new InvalidOperationException("no storage daemon runs for vol1: " + agent.Log());
        Assert.Contains("qemu-storage-daemon", ProcessInspector.CommandLine(daemonPid));

        // The clone is a qcow2 overlay whose backing file is the base image.
        using (var info = JsonDocument.Parse(Run("qemu-img", "info", "--output", "json", "-U", Path.Combine(pool, "vol1.qcow2"))))
        {
            Assert.Equal("qcow2", info.RootElement.GetProperty("format").GetString());
            Assert.Equal(baseImage, info.RootElement.GetProperty("backing-filename").GetString());
        }

        var qemuPid = await WaitStatusAsync(server.Controller, 1, s => s.Vms.Any(v => v.Id == "vm1" && v.State == InstanceState.Running && v.Pid > 0)
            && s.Volumes.Any(v => v.Id == "vol1" && v.State == VolumeState.InUse), full: false, agent);
        var socket = Path.Combine(agent.StateDir, "volumes", "vol1", "vhost.sock");
        Assert.Contains(ProcessInspector.CommandLine(qemuPid), a => a.Contains(socket));
        Assert.True(ConnectedUnixSockets(socket) >= 1, $"nobody is connected to {socket}");
        var (daemonStarted, qemuStarted) = (AgentDaemon.StartTime(daemonPid), AgentDaemon.StartTime(qemuPid));

        await agent.KillAsync();
        agent.Start();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello after restart");
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        Assert.Equal(qemuPid, await WaitStatusAsync(server.Controller, session, s => s.Vms.Any(v => v.Id == "vm1" && v.State == InstanceState.Running)
            && s.Volumes.Any(v => v.Id == "vol1" && v.State == VolumeState.InUse), full: true, agent));
        Assert.Equal(daemonPid, agent.StorageDaemonPid("vol1"));
        Assert.Equal(daemonStarted, AgentDaemon.StartTime(daemonPid));
        Assert.Equal(qemuStarted, AgentDaemon.StartTime(qemuPid));
        Assert.True(ConnectedUnixSockets(socket) >= 1, $"qemu lost its disk socket {socket} across the restart");
        Assert.Contains("Adopted", agent.Log(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>/proc/net/unix rows for <paramref name="path"/> in state 03 (connected): the daemon's accepted end.</summary>
    private static int ConnectedUnixSockets(string path) =>
        File.ReadLines("/proc/net/unix").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f.Length >= 8 && f[^1] == path && f[5] == "03");

    private static async Task<int> WaitStatusAsync(ScriptedController c, int minSession, Func<StatusReport, bool> match, bool full, AgentDaemon agent)
    {
        var deadline = DateTime.UtcNow + Long;
        while (DateTime.UtcNow < deadline)
        {
            // Deltas carry only what changed since the last report (a volume InUse in one, its VM Running
            // in the next), so without "full" the match is against the reports folded as the controller does.
            var folded = new StatusReport();
            foreach (var (_, m) in c.Received.Where(r => r.Session >= minSession && r.Message.Status is not null).ToList())
            {
                if (full) { if (m.Status.Full && match(m.Status)) return m.Status.Vms.First(v => v.Id == "vm1").Pid; continue; }
                folded = Fold(folded, m.Status);
                if (match(folded)) return folded.Vms.First(v => v.Id == "vm1").Pid;
            }
            await Task.Delay(50);
        }
        var seen = string.Join("; ", c.Received.Where(r => r.Message.Status is not null).Select(r => $"s{r.Session} full={r.Message.Status.Full} vms={string.Join(",", r.Message.Status.Vms.Select(v => $"{v.Id}:{v.State}:{v.Reason}"))} vols={string.Join(",", r.Message.Status.Volumes.Select(v => $"{v.Id}:{v.State}:{v.Reason}"))}"));
        throw new TimeoutException($"status never matched; reports: {seen}; agent log: {agent.Log()}");
    }

    /// <summary>The observed state after <paramref name="next"/>: a full report replaces it, a delta updates the objects it names.</summary>
    private static StatusReport Fold(StatusReport state, StatusReport next)
    {
        if (next.Full) return next.Clone();
        var r = state.Clone();
        foreach (var v in next.Vms) { var i = r.Vms.ToList().FindIndex(x => x.Id == v.Id); if (i >= 0) r.Vms[i] = v; else r.Vms.Add(v); }
        foreach (var v in next.Volumes) { var i = r.Volumes.ToList().FindIndex(x => x.Id == v.Id); if (i >= 0) r.Volumes[i] = v; else r.Volumes.Add(v); }
        return r;
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException($"{file} hung"); }
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
    }
}
