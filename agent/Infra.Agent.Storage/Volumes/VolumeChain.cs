using Infra.Agent.Storage.Images;

namespace Infra.Agent.Storage.Volumes;

/// <summary>
/// The active image of a local volume: its base file, or the newest overlay stacked on it by
/// snapshots. A daemon that starts afresh (the old one died, the host rebooted) must open the top
/// of that chain, not the base file, or every write since the first snapshot would vanish from
/// the guest's view. The chain is rebuilt from the overlays' backing files alone.
/// </summary>
public static class VolumeChain
{
    /// <summary>Pure: walks up from <paramref name="baseFile"/> through overlays (path → its backing file).</summary>
    public static string Top(string baseFile, IReadOnlyDictionary<string, string?> backingOf)
    {
        var byBacking = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (overlay, backing) in backingOf)
            if (backing is not null && !byBacking.TryAdd(backing, overlay))
                throw new InvalidOperationException($"two overlays ({byBacking[backing]}, {overlay}) have the same backing file {backing}; the volume's chain is forked, repair it by hand");
        var top = baseFile;
        for (var i = 0; i <= backingOf.Count && byBacking.TryGetValue(top, out var next); i++) top = next;
        return top;
    }

    /// <summary>Reads every overlay's backing file (qemu-img info) and returns the chain's top.</summary>
    public static async Task<string> TopAsync(string baseFile, QemuImg images, CancellationToken ct)
    {
        var backing = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var overlay in SnapshotNaming.OverlaysOf(baseFile))
            backing[overlay] = await images.BackingPathAsync(overlay, ct).ConfigureAwait(false);
        return Top(baseFile, backing);
    }

    /// <summary>The volume's own local file (the bottom of its chain), or null for network volumes.</summary>
    public static string? BaseFile(VolumeSpec spec) => spec.Backend switch
    {
        RawFileBackend r => r.Path,
        Qcow2Backend q => q.Path,
        Qcow2CloneBackend c => c.Path,
        _ => null,
    };
}
