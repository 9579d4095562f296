using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>Where a volume's data lives.</summary>
public abstract record VolumeBackend
{
    /// <summary>A file in a host's pool; Pool null means the host's default pool, Format null lets the server choose (qcow2).</summary>
    public sealed record Local(string? Pool, DiskFormat? Format) : VolumeBackend;
    /// <summary>An NBD export any host can open.</summary>
    public sealed record Nbd(Uri Uri) : VolumeBackend;

    public static VolumeBackend Default { get; } = new Local(null, null);
}

/// <summary>What a new volume is filled with.</summary>
public abstract record VolumeSource
{
    public sealed record Empty : VolumeSource;
    public sealed record Image(string ImageId) : VolumeSource;
    public sealed record Snapshot(string SnapshotId) : VolumeSource;
}

/// <summary>SizeBytes null means "the source's size" (only with a source).</summary>
public sealed record CreateVolume(string? RequestId, string TenantId, string Name, ulong? SizeBytes,
    VolumeBackend Backend, VolumeSource Source, Labels Labels);
public sealed record GetVolume(string Id);
public sealed record ListVolumes(string? TenantId, Page Page);
public sealed record ResizeVolume(string Id, ulong SizeBytes);
public sealed record DeleteVolume(string Id, bool Cascade);

public sealed record CreateSnapshot(string? RequestId, string VolumeId, string Name, Labels Labels);
public sealed record GetSnapshot(string Id);
public sealed record ListSnapshots(string? TenantId, string? VolumeId, Page Page);
public sealed record DeleteSnapshot(string Id);

/// <summary>What an export reads: a volume (as of a temporary snapshot taken at the start) or a snapshot.</summary>
public abstract record ExportSource
{
    public sealed record Volume(string VolumeId) : ExportSource;
    public sealed record Snapshot(string SnapshotId) : ExportSource;
}

/// <summary>Export as RAW, in chunks of ChunkSize bytes.</summary>
public sealed record ExportVolume(ExportSource Source, int ChunkSize);
