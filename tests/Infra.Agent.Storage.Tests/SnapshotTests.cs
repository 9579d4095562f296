using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Processes;
using Infra.Processes;
using Infra.Agent.Storage.Volumes;
using static Infra.Agent.Storage.Tests.TestFiles;

namespace Infra.Agent.Storage.Tests;

/// <summary>
/// Snapshots and jobs on a live volume in a real qemu-storage-daemon. Writes after the snapshot go
/// through the daemon itself (qemu-io over the volume's NBD export), as a VM's would through vhost-user.
/// </summary>
public class SnapshotTests
{
    private readonly QemuImg _img = new();

    private static string NbdUri(string socket, string name) => $"nbd+unix:///{name}?socket={socket}";

    [Fact]
    public async Task Snapshot_ThenWrite_RawExportOfSnapshotHasDataAsOfSnapshot()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["disk.raw"], ImageFormat.Raw, 8 * MiB);
        WriteAt(dir["disk.raw"], 0, "BEFORE-SNAPSHOT");
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        await using var volume = await server.ServeAsync(new VolumeSpec("snapvol", new RawFileBackend(dir["disk.raw"])));

        var snapshot = await volume.SnapshotAsync(dir["overlay1.qcow2"]);
        Assert.Equal((dir["disk.raw"], ImageFormat.Raw), (snapshot.Image, snapshot.Format));
        Assert.Equal(dir["overlay1.qcow2"], volume.ActiveImage);

        await volume.ExportNbdAsync(NbdAddress.Unix(dir["nbd.sock"]), "live", writable: true);
        await QemuIoAsync(NbdUri(dir["nbd.sock"], "live"), "raw", "write -P 0x41 0 64k");

        var progress = new List<double>();
        await volume.ExportRawAsync(snapshot, dir["export.raw"], new SyncProgress<double>(progress));
        Assert.Equal("BEFORE-SNAPSHOT", ReadAt(dir["export.raw"], 0, 15));
        Assert.Equal(8L * MiB, new FileInfo(dir["export.raw"]).Length);
        Assert.Equal(100, progress.Last());
        // The snapshot image itself was never written: the new data lives only in the overlay.
        Assert.Equal("BEFORE-SNAPSHOT", ReadAt(dir["disk.raw"], 0, 15));

        await volume.DisposeAsync();
        await _img.ExportRawAsync(dir["overlay1.qcow2"], dir["live.raw"]);
        Assert.Equal(new string('A', 15), ReadAt(dir["live.raw"], 0, 15));
    }

    [Fact]
    public async Task TwoSnapshots_EachExportReproducesItsOwnPointInTime()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["disk.qcow2"], ImageFormat.Qcow2, 4 * MiB);
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        await using var volume = await server.ServeAsync(new VolumeSpec("twosnap", new Qcow2Backend(dir["disk.qcow2"])));
        await volume.ExportNbdAsync(NbdAddress.Unix(dir["nbd.sock"]), "v", writable: true);
        var uri = NbdUri(dir["nbd.sock"], "v");

        await QemuIoAsync(uri, "raw", "write -P 0x31 0 4k");
        var first = await volume.SnapshotAsync(dir["o1.qcow2"]);
        await QemuIoAsync(uri, "raw", "write -P 0x32 0 4k");
        var second = await volume.SnapshotAsync(dir["o2.qcow2"]);
        await QemuIoAsync(uri, "raw", "write -P 0x33 0 4k");

        await volume.ExportRawAsync(first, dir["first.raw"]);
        await volume.ExportRawAsync(second, dir["second.raw"]);
        Assert.Equal("1111", ReadAt(dir["first.raw"], 0, 4));
        Assert.Equal("2222", ReadAt(dir["second.raw"], 0, 4));
        Assert.Equal(dir["o1.qcow2"], (await _img.InfoAsync(dir["o2.qcow2"])).BackingFile);
    }

    [Fact]
    public async Task Flatten_OfClone_EmitsJobEvents_AndCloneNoLongerNeedsBase()
    {
        using var dir = new TempDir();
        await _img.CreateAsync(dir["base.raw"], ImageFormat.Raw, 4 * MiB);
        WriteAt(dir["base.raw"], MiB, "FROM-BASE");
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        await using var volume = await server.ServeAsync(
            new VolumeSpec("flat", new Qcow2CloneBackend(dir["clone.qcow2"], dir["base.raw"], ImageFormat.Raw)));

        var statuses = new List<string>();
        await volume.FlattenAsync(TimeSpan.FromSeconds(60), new SyncProgress<string>(statuses));
        Assert.Contains("running", statuses);
        Assert.Contains("concluded", statuses);

        await volume.DisposeAsync();
        Assert.Null((await _img.InfoAsync(dir["clone.qcow2"])).BackingFile);
        File.Delete(dir["base.raw"]);
        await _img.ExportRawAsync(dir["clone.qcow2"], dir["out.raw"]);
        Assert.Equal("FROM-BASE", ReadAt(dir["out.raw"], MiB, 9));
    }

    [Fact]
    public async Task Serve_InvalidSpec_ThrowsWithEveryErrorAndStartsNoDaemon()
    {
        using var dir = new TempDir();
        var server = new VolumeServer(new ChildProcessLauncher(), _img, dir["run"]);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => server.ServeAsync(new VolumeSpec("", new RawFileBackend("x"))));
        Assert.Contains("volume id", ex.Message);
        Assert.Contains("absolute path", ex.Message);
        Assert.False(Directory.Exists(dir["run"]));
    }

    [Fact]
    public async Task Serve_MissingFile_FailsWithQmpErrorAndStopsDaemon()
    {
        using var dir = new TempDir();
        var launcher = new RecordingLauncher();
        var server = new VolumeServer(launcher, _img, dir["run"]);
        var ex = await Assert.ThrowsAsync<Infra.Qmp.QmpCommandException>(() =>
            server.ServeAsync(new VolumeSpec("missing", new RawFileBackend(dir["nope.raw"]))));
        Assert.Equal("blockdev-add", ex.Command);
        Assert.True(launcher.Started.Single().HasExited);
    }

    /// <summary>The real child launcher, remembering what it started so the test can check it is gone.</summary>
    private sealed class RecordingLauncher : IProcessLauncher
    {
        public List<IManagedProcess> Started { get; } = new();
        public async Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default)
        {
            var p = await new ChildProcessLauncher().StartAsync(spec, ct);
            Started.Add(p);
            return p;
        }
    }
}
