using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;
using VolumeSpec = Infra.Agent.Storage.Volumes.VolumeSpec;
using NbdBackend = Infra.Agent.Storage.Volumes.NbdBackend;
using PbBackend = Infra.V1.VolumeBackend;

namespace Infra.Agent.Core.Storage;

/// <summary>Where this host keeps volume files and finds base images.</summary>
/// <param name="Pools">Storage pools by name, in config order (the first is the default pool).</param>
/// <param name="ImageDir">Base images: &lt;image id&gt;.qcow2 or &lt;image id&gt;.raw.</param>
public sealed record StorageLayout(IReadOnlyList<(string Name, string Path)> Pools, string ImageDir)
{
    /// <summary>The directory of pool <paramref name="name"/> (empty: the default pool); null when it is not configured.</summary>
    public string? PoolPath(string name) => (name.Length == 0 ? Pools.FirstOrDefault() : Pools.FirstOrDefault(p => p.Name == name)).Path;
}

/// <summary>A snapshot's image file (never written again) and its format.</summary>
public sealed record SnapshotImage(string Image, ImageFormat Format);

/// <summary>A desired volume resolved to what the storage daemon opens, plus its size for creation.</summary>
/// <param name="Spec">The storage daemon's spec.</param>
/// <param name="CreateBytes">For a new plain local file: create it at this size (0: never create).</param>
public sealed record MappedVolume(VolumeSpec Spec, long CreateBytes);

/// <summary>Pure: desired VolumeSpecs to storage daemon specs. File existence is asked through <c>exists</c>.</summary>
public static class VolumeMapping
{
    /// <summary>Maps every desired volume; the ones that cannot be served are errors saying why.</summary>
    /// <param name="snapshotImage">Snapshot id → its image on this host (null: not here); volumes copied from a snapshot need it.</param>
    public static Mapped<IReadOnlyList<MappedVolume>> Map(DesiredSnapshot snapshot, StorageLayout layout, Func<string, bool> exists,
        Func<string, SnapshotImage?>? snapshotImage = null)
    {
        var result = new List<MappedVolume>();
        var errors = new List<ResourceError>();
        // Purge specs are never served: the applier removes their files instead (PurgeFiles).
        foreach (var v in snapshot.OfKind(DesiredKind.Volume).Select(r => r.Volume).Where(v => !v.Purge))
        {
            var (mapped, error) = MapOne(v, layout, exists, snapshotImage ?? (_ => null));
            if (mapped is not null) result.Add(mapped);
            else errors.Add(Error(v.Id, error!));
        }
        return new(result, errors);
    }

    /// <summary>
    /// The files a purge spec removes: the volume's own file (<c>&lt;pool&gt;/&lt;id&gt;.qcow2</c> or
    /// <c>.raw</c>, whichever exist) and every <c>&lt;id&gt;@*.qcow2</c> overlay (snapshots, export cuts),
    /// as they exist now; or an error when the spec's pool is not configured here.
    /// </summary>
    public static (IReadOnlyList<string> Files, string? Error) PurgeFiles(Infra.V1.VolumeSpec v, StorageLayout layout, Func<string, bool> exists, Func<string, IEnumerable<string>> overlaysOf)
    {
        if (v.Backend?.KindCase == PbBackend.KindOneofCase.Nbd) return ([], null);
        if (!SnapshotNaming.IsValidId(v.Id)) return ([], $"volume id '{v.Id}' cannot name a file; nothing purged");
        var poolName = v.Backend?.Local?.Pool ?? "";
        if (layout.PoolPath(poolName) is not { } pool)
            return ([], poolName.Length == 0 ? "this host has no storage pool configured, so the volume's files cannot be found to purge" : $"storage pool '{poolName}' is not configured on this host; cannot purge the volume's files");
        var files = new List<string>();
        foreach (var ext in new[] { ".qcow2", ".raw" })
        {
            var f = System.IO.Path.Combine(pool, v.Id + ext);
            if (exists(f)) files.Add(f);
        }
        files.AddRange(overlaysOf(System.IO.Path.Combine(pool, v.Id + ".qcow2")).Order(StringComparer.Ordinal));
        return (files, null);
    }

    internal static ResourceError Error(string id, string error) =>
        new() { Ref = new ResourceRef { Kind = DesiredKind.Volume, Id = id }, Error = error };

    private static (MappedVolume?, string?) MapOne(Infra.V1.VolumeSpec v, StorageLayout layout, Func<string, bool> exists, Func<string, SnapshotImage?> snapshotImage)
    {
        MappedVolume? mapped;
        if (v.Backend?.KindCase == PbBackend.KindOneofCase.Nbd)
        {
            if (ParseNbdUri(v.Backend.Nbd.Uri) is not { } nbd) return (null, $"NBD uri '{v.Backend.Nbd.Uri}' must be nbd://host[:port]/export or nbd+unix:///export?socket=/path");
            mapped = new MappedVolume(new VolumeSpec(v.Id, nbd), 0);
        }
        else
        {
            var poolName = v.Backend?.Local?.Pool ?? "";
            if (layout.PoolPath(poolName) is not { } poolPath)
                return (null, poolName.Length == 0 ? "this host has no storage pool configured (storage_pools in agent.yaml)" : $"storage pool '{poolName}' is not configured on this host");
            if (v.BaseImageId.Length > 0)
            {
                var qcow = System.IO.Path.Combine(layout.ImageDir, v.BaseImageId + ".qcow2");
                var raw = System.IO.Path.Combine(layout.ImageDir, v.BaseImageId + ".raw");
                var (image, format) = exists(qcow) ? (qcow, ImageFormat.Qcow2) : exists(raw) ? (raw, ImageFormat.Raw) : ((string?)null, ImageFormat.Raw);
                if (image is null) return (null, $"base image {v.BaseImageId} is not on this host: expected {qcow} or {raw} (image_dir must be shared or pre-seeded)");
                mapped = new MappedVolume(new VolumeSpec(v.Id, new Qcow2CloneBackend(System.IO.Path.Combine(poolPath, v.Id + ".qcow2"), image, format)), 0);
            }
            else if (v.SourceSnapshotId.Length > 0)
            {
                // An instant copy-on-write clone whose backing file is the snapshot's image; the
                // snapshot cannot be deleted while the clone exists (delete_snapshot refuses).
                var clone = System.IO.Path.Combine(poolPath, v.Id + ".qcow2");
                if (exists(clone)) mapped = new MappedVolume(new VolumeSpec(v.Id, new Qcow2Backend(clone)), 0);
                else if (snapshotImage(v.SourceSnapshotId) is { } snap) mapped = new MappedVolume(new VolumeSpec(v.Id, new Qcow2CloneBackend(clone, snap.Image, snap.Format)), 0);
                else return (null, $"snapshot {v.SourceSnapshotId} is not on this host; a volume copied from a snapshot must be placed on the snapshot's host");
            }
            else if (v.Backend?.Local?.Format == DiskFormat.Raw)
                mapped = new MappedVolume(new VolumeSpec(v.Id, new RawFileBackend(System.IO.Path.Combine(poolPath, v.Id + ".raw"))), (long)v.SizeBytes);
            else
                mapped = new MappedVolume(new VolumeSpec(v.Id, new Qcow2Backend(System.IO.Path.Combine(poolPath, v.Id + ".qcow2"))), (long)v.SizeBytes);
        }
        var problems = mapped.Spec.Validate();
        return problems.Count == 0 ? (mapped, null) : (null, string.Join("; ", problems));
    }

    /// <summary>nbd://host[:port]/export or nbd+unix:///export?socket=/path; null when neither.</summary>
    public static NbdBackend? ParseNbdUri(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u)) return null;
        var export = Uri.UnescapeDataString(u.AbsolutePath.TrimStart('/'));
        if (u.Scheme == "nbd" && u.Host.Length > 0)
            return new NbdBackend(NbdAddress.Tcp(u.Host, u.IsDefaultPort || u.Port < 0 ? 10809 : u.Port), export);
        if (u.Scheme == "nbd+unix")
        {
            var socket = u.Query.TrimStart('?').Split('&').Select(q => q.Split('=', 2)).FirstOrDefault(kv => kv[0] == "socket" && kv.Length == 2)?[1];
            return socket is null ? null : new NbdBackend(NbdAddress.Unix(Uri.UnescapeDataString(socket)), export);
        }
        return null;
    }
}
