using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Volumes;
using Infra.V1;

namespace Infra.Agent.Core.Storage;

/// <summary>
/// Purge specs: the operator deleted the volume, so its files go (its snapshots' and export cuts'
/// too). This is the only path that deletes volume data. Refused, and retried on every pass, while
/// a desired VM still names the volume or another file in the pools backs onto one of its files
/// (a volume copied from one of its snapshots). Files already gone count as purged, so the order is
/// idempotent and survives agent restarts until the controller forgets it.
/// </summary>
public sealed partial class StorageApplier
{
    /// <summary>Carries out one purge order; null when done, else why not (yet), logged.</summary>
    private async Task<string?> TryPurgeAsync(Infra.V1.VolumeSpec spec, IReadOnlySet<string> inUse, IReadOnlyDictionary<string, IReadOnlyList<string>> usedBy, CancellationToken ct)
    {
        string? refused;
        try { refused = await PurgeAsync(spec, inUse, usedBy, ct); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Infra.Agent.Storage.Images.ImageToolException)
        {
            refused = $"purging volume {spec.Id}: {e.Message}";
        }
        if (refused is not null) LogPurgeRefused(spec.Id, refused);
        return refused;
    }

    /// <summary>Carries out one purge spec; null when its files are gone, else why not (yet).</summary>
    private async Task<string?> PurgeAsync(Infra.V1.VolumeSpec spec, IReadOnlySet<string> inUse, IReadOnlyDictionary<string, IReadOnlyList<string>> usedBy, CancellationToken ct)
    {
        var id = spec.Id;
        if (inUse.Contains(id))
            return $"volume {id} was deleted but VM {string.Join(", ", usedBy.GetValueOrDefault(id) ?? [])} still uses it; its files are removed once no VM names it";
        var (files, error) = VolumeMapping.PurgeFiles(spec, layout, File.Exists, SnapshotNaming.OverlaysOf);
        if (error is not null) return error;
        if (files.Count > 0 && await PoolFiles.DependentAsync(layout, images, id, files.Select(Path.GetFullPath).ToList(), ct) is { } dependent)
            return $"volume {id} was deleted but {dependent} backs onto one of its files (a volume copied from its snapshot); its files are removed once that volume is purged";

        // A daemon still serving it (this agent's, or a stray one left by a previous agent) goes first.
        if (_served.TryRemove(id, out var served))
        {
            LogStopped(id, served.Daemon.Process.Pid);
            await served.DisposeAsync();
        }
        var dir = Path.Combine(runRoot, id);
        if (Directory.Exists(dir) && await StorageDaemon.AttachAsync(dir, ct) is { } stray)
        {
            LogStopped(id, stray.Process.Pid);
            await stray.DisposeAsync();
        }
        // Overlays first (they sit on top of the volume file), so a crash half way never leaves an
        // overlay whose backing file is gone but the overlay still counting as a snapshot.
        foreach (var f in files.OrderByDescending(f => Path.GetFileName(f).Contains('@', StringComparison.Ordinal)))
        {
            File.Delete(f);
            LogPurgedFile(id, f);
        }
        return null;
    }
}
