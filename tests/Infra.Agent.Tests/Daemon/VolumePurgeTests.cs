using System.Diagnostics;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// Purge specs against the real daemon and real qemu-storage-daemon / qemu-img: a deleted volume's
/// files (its own, its snapshot overlay, an export cut) are removed and reported purged, but not
/// while a VM names it or a clone backs onto its snapshot; a volume merely dropped from the desired
/// state keeps its file.
/// </summary>
public sealed class VolumePurgeTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-purge-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Resource Plain(string id) => new()
    {
        Volume = new VolumeSpec { Id = id, SizeBytes = 16 << 20, Backend = new VolumeBackend { Local = new LocalBackend { Format = DiskFormat.Qcow2 } } },
    };

    private static Resource Purge(string id) => new() { Volume = new VolumeSpec { Id = id, Purge = true, Backend = new VolumeBackend { Local = new LocalBackend() } } };

    [Fact]
    public async Task PurgeSpec_RemovesTheVolumesFiles_OnlyOnceNoVmUsesItAndNoCloneBacksOntoIt()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images")).FullName;
        var pool = Directory.CreateDirectory(Path.Combine(_dir, "pool")).FullName;
        string P(string name) => Path.Combine(pool, name);
        // vola with snapshot s1 (vola.qcow2 is s1's image, vola@s1 the writes since), an export cut,
        // and volc copied from s1 (backing onto vola.qcow2), as the snapshot commands leave them.
        Run("qemu-img", "create", "-q", "-f", "qcow2", P("vola.qcow2"), "16M");
        Run("qemu-img", "create", "-q", "-f", "qcow2", "-b", P("vola.qcow2"), "-F", "qcow2", P("vola@s1.qcow2"));
        Run("qemu-img", "create", "-q", "-f", "qcow2", "-b", P("vola@s1.qcow2"), "-F", "qcow2", P("vola@~x-1.qcow2"));
        Run("qemu-img", "create", "-q", "-f", "qcow2", "-b", P("vola.qcow2"), "-F", "qcow2", P("volc.qcow2"));
        string[] aFiles = [P("vola.qcow2"), P("vola@s1.qcow2"), P("vola@~x-1.qcow2")];

        await using var server = await ControllerServer.StartAsync();
        var vm = Vm("vm1", InstanceState.Stopped);
        vm.Vm.VolumeIds.Add("vola");
        server.Controller.Script = s => s.Index == 1 ? s.SendAsync(Full(1, vm, Purge("vola"), Plain("vold"))) : Task.CompletedTask;
        await using var agent = new AgentDaemon(server.Url, extraYaml: $"image_dir: {images}\nstorage_pools: [{{name: p1, path: {pool}}}]");
        agent.Start();

        // A VM still names it: refused, nothing deleted.
        await server.Controller.WaitForAsync((_, m) => m.Nack?.Version == 1 && m.Nack.Errors.Any(e => e.Ref.Id == "vola" && e.Error.Contains("still uses")), Long, "Nack v1 naming vola (log: " + agent.Log() + ")");
        Assert.All(aFiles, f => Assert.True(File.Exists(f), f));
        Assert.NotNull(agent.StorageDaemonPid("vold"));

        // No VM, but volc backs onto its snapshot image: still refused.
        var session = server.Controller.Sessions[1];
        await session.SendAsync(Full(2, Purge("vola"), Plain("vold")));
        await server.Controller.WaitForAsync((_, m) => m.Nack?.Version == 2 && m.Nack.Errors.Any(e => e.Ref.Id == "vola" && e.Error.Contains("volc.qcow2")), Long, "Nack v2 naming volc (log: " + agent.Log() + ")");
        Assert.All(aFiles, f => Assert.True(File.Exists(f), f));

        // volc purged (vold merely dropped: stopped, file kept), then vola goes too.
        await session.SendAsync(Full(3, Purge("volc")));
        await WaitPurgedAsync(server.Controller, "volc", agent);
        Assert.False(File.Exists(P("volc.qcow2")));
        await session.SendAsync(Full(4, Purge("vola")));
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 4, Long, "Ack v4 (log: " + agent.Log() + ")");
        await WaitPurgedAsync(server.Controller, "vola", agent);
        Assert.All(aFiles, f => Assert.False(File.Exists(f), f));
        Assert.True(File.Exists(P("vold.qcow2")), "a volume merely missing from the desired state must keep its file");
        Assert.Null(agent.StorageDaemonPid("vold"));

        // Idempotent: the same order again (files already gone) is acknowledged and reported purged.
        await session.SendAsync(Full(5, Purge("vola")));
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 5, Long, "Ack v5 (log: " + agent.Log() + ")");
    }

    private static async Task WaitPurgedAsync(ScriptedController c, string id, AgentDaemon agent)
    {
        var deadline = DateTime.UtcNow + Long;
        while (DateTime.UtcNow < deadline)
        {
            if (c.Received.Any(r => r.Message.Status?.Volumes.Any(v => v.Id == id && v.Purged) == true)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{id} never reported purged; agent log: {agent.Log()}");
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
