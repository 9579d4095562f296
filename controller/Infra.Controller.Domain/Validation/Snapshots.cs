using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses snapshot and export requests. Export chunks: 0 means 1 MiB; otherwise 4 KiB to 4 MiB in
/// whole 4 KiB blocks, so every read is block-aligned and a chunk stays well under gRPC's default
/// 4 MiB message limit once framing is added (hence 4 MiB of data is the ceiling, not above).
/// </summary>
public static class SnapshotValidation
{
    public const int DefaultChunkSize = 1 << 20;
    public const int MinChunkSize = 4096;
    public const int MaxChunkSize = 4 << 20;

    public static ValidationResult<CreateSnapshot> Validate(CreateSnapshotRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var volume = v.Id("volume_id", r.VolumeId, IdKind.Volume);
        var name = v.Name("name", r.Name);
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreateSnapshot(requestId, volume!, name, labels));
    }

    public static ValidationResult<GetSnapshot> Validate(GetSnapshotRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Snapshot);
        return v.Finish(() => new GetSnapshot(id!));
    }

    public static ValidationResult<ListSnapshots> Validate(ListSnapshotsRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var volume = v.Id("volume_id", r.VolumeId, IdKind.Volume, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListSnapshots(tenant, volume, page));
    }

    public static ValidationResult<DeleteSnapshot> Validate(DeleteSnapshotRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Snapshot);
        return v.Finish(() => new DeleteSnapshot(id!));
    }

    public static ValidationResult<ExportVolume> Validate(ExportVolumeRequest r)
    {
        var v = new Violations();
        ExportSource? source = r.SourceCase switch
        {
            ExportVolumeRequest.SourceOneofCase.VolumeId => v.Id("volume_id", r.VolumeId, IdKind.Volume) is { } vol ? new ExportSource.Volume(vol) : null,
            ExportVolumeRequest.SourceOneofCase.SnapshotId => v.Id("snapshot_id", r.SnapshotId, IdKind.Snapshot) is { } snp ? new ExportSource.Snapshot(snp) : null,
            _ => null,
        };
        if (r.SourceCase == ExportVolumeRequest.SourceOneofCase.None)
            v.Add("volume_id", "say what to export: set volume_id or snapshot_id");
        var chunk = r.ChunkSize == 0 ? DefaultChunkSize : (int)Math.Min(r.ChunkSize, (uint)MaxChunkSize);
        if (r.ChunkSize != 0 && (r.ChunkSize < MinChunkSize || r.ChunkSize > MaxChunkSize || r.ChunkSize % MinChunkSize != 0))
            v.Add("chunk_size", $"must be a multiple of {MinChunkSize} from {MinChunkSize} to {MaxChunkSize} bytes (0 means {DefaultChunkSize}); got {r.ChunkSize}");
        return v.Finish(() => new ExportVolume(source!, chunk));
    }
}
