using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Agent.Storage.Volumes;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>An agent restart adopts running storage daemons instead of restarting them.</summary>
public class AdoptTests
{
    private readonly QemuImg _img = new();

    [Fact]
    public async Task ServeOrAdopt_AfterDetach_FindsSameDaemonAndSnapshotChain()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["disk.raw"], ImageFormat.Raw, 4 * MiB);
        var spec = new VolumeSpec("adopt", new RawFileBackend(dir["disk.raw"]));
        var first = await new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]).ServeOrAdoptAsync(spec);
        var pid = first.Daemon.Process.Pid;
        await first.SnapshotAsync(dir["o1.qcow2"]);
        await first.DetachAsync(); // the agent "exits"; the daemon keeps serving

        // A new agent, with no memory of the first: everything comes from the daemon.
        await using var adopted = await new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]).ServeOrAdoptAsync(spec);
        Assert.Equal(pid, adopted.Daemon.Process.Pid);
        Assert.Equal(("snap1", dir["o1.qcow2"], ImageFormat.Qcow2), (adopted.TopNode, adopted.ActiveImage, adopted.ActiveFormat));
        Assert.True(File.Exists(adopted.VhostUserSocket));

        var second = await adopted.SnapshotAsync(dir["o2.qcow2"]);
        Assert.Equal(dir["o1.qcow2"], second.Image);
        Assert.Equal("snap2", adopted.TopNode);

        await adopted.DisposeAsync();
        Assert.True(adopted.Daemon.Process.HasExited);
        Assert.Equal(dir["o1.qcow2"], (await _img.InfoAsync(dir["o2.qcow2"])).BackingFile);
    }

    [Fact]
    public async Task ServeOrAdopt_WhenNothingRuns_StartsDaemon()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["disk.qcow2"], ImageFormat.Qcow2, MiB);
        await using var v = await new VolumeServer(new ChildProcessLauncher(), _img, dir["run"])
            .ServeOrAdoptAsync(new VolumeSpec("fresh", new Qcow2Backend(dir["disk.qcow2"])));
        Assert.Equal(("vol0", dir["disk.qcow2"]), (v.TopNode, v.ActiveImage));
        Assert.False(v.Daemon.Process.HasExited);
    }
}
