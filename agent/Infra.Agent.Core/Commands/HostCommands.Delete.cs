using Infra.Agent.Core.Storage;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;

namespace Infra.Agent.Core.Commands;

public sealed partial class HostCommands
{
    /// <summary>
    /// Deletes snapshot S of a volume in use: the overlay created at S (the writes made after S) is
    /// committed down into S's image, which from then on holds the next point in time, and the
    /// overlay's file is removed. The volume keeps its data and its chain is one file shorter; later
    /// snapshots stay findable (their overlays now back onto S's old image). Absent S: success.
    /// Refused while S's image (or the overlay, the next snapshot's image) backs another volume or
    /// is being exported, since the commit rewrites them.
    /// </summary>
    private async Task<CommandResult> DeleteSnapshotAsync(DeleteSnapshotCommand c, CancellationToken ct)
    {
        if (!SnapshotNaming.IsValidId(c.SnapshotId)) throw new ArgumentException($"snapshot id '{c.SnapshotId}' is not a valid snapshot id");
        var (volume, baseFile) = LocalVolume(c.VolumeId);
        using var held = await LockAsync([c.VolumeId], ct).ConfigureAwait(false);
        var overlay = SnapshotNaming.OverlayPath(baseFile, c.SnapshotId);
        if (!File.Exists(overlay)) return new CommandResult();
        var image = await SnapshotSources.ImageOfAsync(overlay, images, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"snapshot {c.SnapshotId}: {overlay} has no backing file; the chain is damaged, repair it by hand");
        if (_reading.TryGetValue(image.Image, out var r1) && r1 > 0 || _reading.TryGetValue(overlay, out var r2) && r2 > 0)
            throw new InvalidOperationException($"snapshot {c.SnapshotId} is being exported; delete it when the export has ended");
        if (await DependentAsync(baseFile, [image.Image, overlay], ct).ConfigureAwait(false) is { } dependent)
            throw new InvalidOperationException($"snapshot {c.SnapshotId} cannot be deleted: volume file {dependent} was copied from it (or from the next snapshot of {c.VolumeId}); delete that volume first");
        var top = await volume.NodeOfAsync(overlay, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"the daemon of {c.VolumeId} has no node for {overlay}");
        var into = await volume.NodeOfAsync(image.Image, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"the daemon of {c.VolumeId} has no node for {image.Image}");
        ct.ThrowIfCancellationRequested();
        // From here on not cancellable: a commit left half way is worse than a late answer.
        await volume.CommitAsync(top, into, CommitTimeout, CancellationToken.None).ConfigureAwait(false);
        File.Delete(overlay);
        _taken.TryRemove(c.SnapshotId, out _);
        LogDeleted(c.SnapshotId, c.VolumeId, image.Image);
        return new CommandResult();
    }

    /// <summary>A qcow2 file in the pools, outside this volume's own chain, whose backing file is one of <paramref name="files"/>.</summary>
    private Task<string?> DependentAsync(string baseFile, IReadOnlyList<string> files, CancellationToken ct) =>
        PoolFiles.DependentAsync(storage.Layout, images, Path.GetFileNameWithoutExtension(baseFile), files, ct);
}
