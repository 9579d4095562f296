using System.Text.Json;
using Infra.Cloud.EndToEnd.Tests.Support;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests;

/// <summary>
/// Snapshots and RAW export through the whole stack: infractl → controller → the agent's session →
/// qemu-storage-daemon, and the RAW bytes back the same way. The guest is SeaBIOS over a disk it
/// cannot boot, so it never writes and every export must equal the imported image byte for byte;
/// it has no guest agent, so its snapshots are crash-consistent and require_quiesce is refused.
/// </summary>
public sealed class SnapshotExportCloudTests : IAsyncLifetime
{
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(120);
    CloudHost _cloud = null!;
    Infractl Ctl => _cloud.Ctl;

    public async Task InitializeAsync() => _cloud = await CloudHost.StartAsync();
    public async Task DisposeAsync() => await _cloud.DisposeAsync();

    byte[] MakeImage(string path)
    {
        var data = new byte[8 << 20];
        new Random(7).NextBytes(data.AsSpan(0, 1 << 20));
        new Random(8).NextBytes(data.AsSpan(7 << 20));
        File.WriteAllBytes(path, data);
        return data;
    }

    async Task<byte[]> ExportAsync(params string[] source)
    {
        var file = Path.Combine(_cloud.Dir, $"export-{Guid.NewGuid():N}.raw");
        var r = await Ctl.RunAsync(["volume", "export", .. source, "-f", file, "--no-progress", "--chunk-size", "262144"]);
        Assert.True(r.Code == 0, $"export {string.Join(' ', source)}: {r}\n{_cloud.Logs()}");
        var bytes = await File.ReadAllBytesAsync(file);
        File.Delete(file);
        return bytes;
    }

    static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    [Fact]
    public async Task SnapshotExportCloneAndDelete_GoThroughTheAgent_AndTheBytesComeBackIntact()
    {
        var tenant = Infractl.Id(await Ctl.JsonAsync("tenant", "create", "acme"));
        var imagePath = Path.Combine(_cloud.Dir, "base.raw");
        var image = MakeImage(imagePath);
        var imageId = Infractl.Id(await Ctl.JsonAsync("image", "import", imagePath, "-n", "base", "-t", tenant, "--format", "raw", "--no-progress"));
        var id = Infractl.Id(await Ctl.JsonAsync("instance", "create", "-t", tenant, "-n", "vm1", "--vcpus", "1", "--cpu-mhz", "500", "--memory", "128M", "--image", imageId));
        var instance = await Ctl.WaitAsync("instance", id, i => i.GetProperty("state").GetString() == "INSTANCE_STATE_RUNNING", Boot, _cloud.Logs);
        var boot = instance.GetProperty("bootVolumeId").GetString()!;
        var qemu = _cloud.QemuPid(id);

        // No guest agent answers: an application-consistent snapshot is refused, and nothing is left behind.
        var refused = await Ctl.RunAsync("instance", "snapshot", id, "--name", "strict", "--require-quiesce");
        Assert.True(refused.Code == 6, refused.ToString());
        Assert.Contains("quiesce", refused.Err, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await Ctl.JsonAsync("volume", "snapshot", "list", "--volume", boot)).TryGetProperty("snapshots", out var none) ? none.GetArrayLength() : 0);

        // Crash-consistent group snapshot of the running VM (its vCPUs held still around the cut).
        var taken = await Ctl.JsonAsync("instance", "snapshot", id, "--name", "nightly");
        Assert.False(taken.TryGetProperty("quiesced", out var q) && q.GetBoolean());
        var snap = Assert.Single(taken.GetProperty("snapshots").EnumerateArray());
        var snapId = Infractl.Id(snap);
        Assert.Equal(boot, snap.GetProperty("volumeId").GetString());
        Assert.Equal("VOLUME_STATE_AVAILABLE", (await Ctl.JsonAsync("volume", "snapshot", "get", snapId)).GetProperty("state").GetString());
        Assert.Equal(qemu, _cloud.QemuPid(id));
        Assert.Equal("INSTANCE_STATE_RUNNING", (await Ctl.JsonAsync("instance", "get", id)).GetProperty("state").GetString());

        // RAW export of the snapshot and of the live volume: the imported image, byte for byte.
        Assert.True(Same(image, await ExportAsync("--snapshot", snapId)), "snapshot export differs from the image");
        Assert.True(Same(image, await ExportAsync(boot)), "volume export differs from the image");

        // A new volume from the snapshot, served on the snapshot's host, with the same content.
        var restored = Infractl.Id(await Ctl.JsonAsync("volume", "create", "-t", tenant, "-n", "restored", "--snapshot", snapId));
        var rv = await Ctl.WaitAsync("volume", restored, v => v.GetProperty("state").GetString() == "VOLUME_STATE_AVAILABLE", Boot, _cloud.Logs);
        Assert.Equal(_cloud.HostId, rv.GetProperty("hostId").GetString());
        Assert.True(Same(image, await ExportAsync(restored)), "the volume made from the snapshot differs");

        // The snapshot cannot go while a volume depends on it; once that volume is gone it can.
        var inUse = await Ctl.RunAsync("volume", "snapshot", "delete", snapId);
        Assert.True(inUse.Code == 6, inUse.ToString());
        Assert.Equal(0, (await Ctl.RunAsync("volume", "delete", restored)).Code);
        // The volume's record goes at once; its file goes when the agent applies the removal, so the
        // snapshot delete may be refused (exit 6, "retry") for a moment, as its message says.
        var deleted = await Ctl.RunAsync("volume", "snapshot", "delete", snapId);
        for (var i = 0; i < 60 && deleted.Code == 6; i++)
        {
            await Task.Delay(500);
            deleted = await Ctl.RunAsync("volume", "snapshot", "delete", snapId);
        }
        Assert.True(deleted.Code == 0, deleted + "\n" + _cloud.Logs());
        Assert.Equal(4, (await Ctl.RunAsync("volume", "snapshot", "get", snapId)).Code);
        Assert.True(Same(image, await ExportAsync(boot)), "the volume changed when its snapshot was deleted");
        Assert.Equal(qemu, _cloud.QemuPid(id));

        // With the agent gone, a snapshot fails at once naming the host, instead of hanging.
        _cloud.KillAgent();
        var away = await Ctl.RunAsync("instance", "snapshot", id, "--name", "away");
        Assert.True(away.Code == 8, away.ToString());
        Assert.Contains(_cloud.HostId, away.Err);
    }
}
