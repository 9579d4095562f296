using Infra.Agent.Storage.Images;

namespace Infra.Agent.Core.Storage;

/// <summary>Backing-file questions about the files in the storage pools (asked of qemu-img).</summary>
public static class PoolFiles
{
    /// <summary>
    /// A qcow2 file in the pools outside the chain of the volume whose files are named
    /// <paramref name="stem"/>.* and <paramref name="stem"/>@*, whose backing file is one of
    /// <paramref name="files"/> (full paths); null when none is.
    /// </summary>
    public static async Task<string?> DependentAsync(StorageLayout layout, QemuImg images, string stem, IReadOnlyCollection<string> files, CancellationToken ct)
    {
        foreach (var (_, pool) in layout.Pools)
        {
            if (!Directory.Exists(pool)) continue;
            foreach (var f in Directory.EnumerateFiles(pool, "*.qcow2"))
            {
                var name = Path.GetFileName(f);
                if (name.StartsWith(stem + ".", StringComparison.Ordinal) || name.StartsWith(stem + "@", StringComparison.Ordinal)) continue;
                string? backing;
                try { backing = await images.BackingPathAsync(f, ct).ConfigureAwait(false); }
                catch (ImageToolException) { continue; }
                if (backing is not null && files.Contains(backing)) return f;
            }
        }
        return null;
    }
}
