using Infra.Agent.Core.State;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;

namespace Infra.Agent.Core.Storage;

/// <summary>Finds snapshots by id in the storage pools, by file name alone (see <see cref="SnapshotNaming"/>).</summary>
public static class SnapshotSources
{
    /// <summary>The overlay created at snapshot <paramref name="snapshotId"/>, in any pool; null when there is none.</summary>
    public static string? FindOverlay(StorageLayout layout, string snapshotId)
    {
        if (!SnapshotNaming.IsValidId(snapshotId)) return null;
        foreach (var (_, path) in layout.Pools)
            if (Directory.Exists(path) && Directory.EnumerateFiles(path, $"*@{snapshotId}.qcow2").FirstOrDefault() is { } found) return found;
        return null;
    }

    /// <summary>A snapshot's image: the backing file of the overlay created when it was cut.</summary>
    public static async Task<SnapshotImage?> ImageOfAsync(string overlay, QemuImg images, CancellationToken ct)
    {
        if (await images.BackingPathAsync(overlay, ct).ConfigureAwait(false) is not { } image) return null;
        return new SnapshotImage(image, (await images.InfoAsync(image, ct).ConfigureAwait(false)).Format);
    }

    /// <summary>Images of the snapshots that desired volumes are copied from, for those whose clone does not exist yet.</summary>
    public static async Task<IReadOnlyDictionary<string, SnapshotImage>> ResolveAsync(DesiredSnapshot snapshot, StorageLayout layout, QemuImg images, CancellationToken ct)
    {
        var result = new Dictionary<string, SnapshotImage>(StringComparer.Ordinal);
        foreach (var v in snapshot.OfKind(DesiredKind.Volume).Select(r => r.Volume).Where(v => !v.Purge && v.SourceSnapshotId.Length > 0 && v.BaseImageId.Length == 0))
        {
            // Runs on every apply pass: an existing clone is served as it is (VolumeMapping), so no qemu-img for it.
            if (layout.PoolPath(v.Backend?.Local?.Pool ?? "") is { } pool && File.Exists(Path.Combine(pool, v.Id + ".qcow2"))) continue;
            if (result.ContainsKey(v.SourceSnapshotId) || FindOverlay(layout, v.SourceSnapshotId) is not { } overlay) continue;
            try { if (await ImageOfAsync(overlay, images, ct).ConfigureAwait(false) is { } image) result[v.SourceSnapshotId] = image; }
            catch (ImageToolException) { /* reported as "not on this host" by the mapping */ }
        }
        return result;
    }
}
