using System.Text.Json.Nodes;
using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Images;

namespace Infra.Agent.Storage.Volumes;

/// <summary>A snapshot: an image file that is never written again, plus its format.</summary>
public sealed record VolumeSnapshot(string Image, ImageFormat Format, DateTimeOffset TakenAt);

/// <summary>
/// A volume being served. Snapshots follow qemu's external-snapshot model: the active image is
/// frozen in place as the snapshot and a new qcow2 overlay on top of it takes all new writes. The
/// export stays attached (qemu re-points every parent of the old node at the overlay), so the VM
/// sees nothing. A chain of snapshots is a chain of backing files.
/// </summary>
public sealed partial class ServedVolume : IAsyncDisposable
{
    public const string VhostExportId = "vhost0";
    private readonly QemuImg _images;
    private int _snapshots;
    private bool _nbdServer;

    internal ServedVolume(VolumeSpec spec, StorageDaemon daemon, string vhostSocket, QemuImg images)
    {
        Spec = spec; Daemon = daemon; VhostUserSocket = vhostSocket; _images = images;
        (ActiveImage, ActiveFormat) = spec.Backend switch
        {
            RawFileBackend r => (r.Path, ImageFormat.Raw),
            Qcow2Backend q => (q.Path, ImageFormat.Qcow2),
            Qcow2CloneBackend c => (c.Path, ImageFormat.Qcow2),
            _ => ((string?)null, ImageFormat.Raw),
        };
    }

    internal void OpenedOnTop(string overlay) => (ActiveImage, ActiveFormat) = (overlay, ImageFormat.Qcow2);

    public VolumeSpec Spec { get; }
    public StorageDaemon Daemon { get; }
    public string VhostUserSocket { get; }
    /// <summary>The node exports and snapshots act on: the newest overlay.</summary>
    public string TopNode { get; private set; } = BlockGraph.TopNode;
    /// <summary>The file taking writes now; null for network volumes, which have no local file.</summary>
    public string? ActiveImage { get; private set; }
    public ImageFormat ActiveFormat { get; private set; }

    /// <summary>
    /// Freezes the current image as a snapshot and continues on a new overlay at overlayPath.
    /// Callers wanting an application-consistent snapshot freeze the guest's filesystems first.
    /// </summary>
    public async Task<VolumeSnapshot> SnapshotAsync(string overlayPath, CancellationToken ct = default)
    {
        if (ActiveImage is null)
            throw new InvalidOperationException($"volume {Spec.Id} is a network volume; snapshot it where its image lives");
        if (File.Exists(overlayPath)) throw new InvalidOperationException($"snapshot overlay {overlayPath} exists; pick a new path");
        var node = $"snap{++_snapshots}";
        await Daemon.Qmp.ExecuteAsync("blockdev-snapshot-sync", new JsonObject
        {
            ["node-name"] = TopNode, ["snapshot-file"] = overlayPath, ["snapshot-node-name"] = node,
            ["format"] = "qcow2", ["mode"] = "absolute-paths",
        }, ct: ct).ConfigureAwait(false);
        var snapshot = new VolumeSnapshot(ActiveImage, ActiveFormat, DateTimeOffset.UtcNow);
        (TopNode, ActiveImage, ActiveFormat) = (node, overlayPath, ImageFormat.Qcow2);
        return snapshot;
    }

    /// <summary>Writes a snapshot's full contents (its chain resolved) as a RAW file, reporting percent done.</summary>
    public Task ExportRawAsync(VolumeSnapshot snapshot, string destination, IProgress<double>? progress = null,
        CancellationToken ct = default) =>
        _images.ExportRawAsync(snapshot.Image, destination, progress, ct);

    /// <summary>Exports the live volume over NBD from this daemon (for another host's daemon to open).</summary>
    public async Task ExportNbdAsync(Volumes.NbdAddress address, string exportName, bool writable, CancellationToken ct = default)
    {
        if (!_nbdServer) { await Daemon.StartNbdServerAsync(address, ct).ConfigureAwait(false); _nbdServer = true; }
        await Daemon.ExportNbdAsync($"nbd-{exportName}", TopNode, exportName, writable, ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Daemon.DisposeAsync();
}
