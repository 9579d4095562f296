using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using VolumeBackend = Infra.Controller.Domain.Commands.VolumeBackend;
using DiskFormat = Infra.Controller.Domain.Model.DiskFormat;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses the Volumes service's volume requests. Sizes: whole GiB on the wire, bytes in commands;
/// at most 64 TiB (qcow2 with 64 KiB clusters and the default L2 cache handles that well).
/// An image clone is a qcow2 overlay on the image's local file, so it must be a local QCOW2 volume.
/// </summary>
public static class VolumeValidation
{
    public const ulong Gib = 1UL << 30;
    public const ulong MaxSizeGib = 64 * 1024;
    static readonly string[] NbdSchemes = ["nbd", "nbd+tcp", "nbd+unix"];

    public static ValidationResult<CreateVolume> Validate(CreateVolumeRequest r)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", r.RequestId);
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant);
        var name = v.Name("name", r.Name);
        VolumeSource source = r.SourceCase switch
        {
            CreateVolumeRequest.SourceOneofCase.ImageId => v.Id("image_id", r.ImageId, IdKind.Image) is { } i ? new VolumeSource.Image(i) : new VolumeSource.Empty(),
            CreateVolumeRequest.SourceOneofCase.SnapshotId => v.Id("snapshot_id", r.SnapshotId, IdKind.Snapshot) is { } s ? new VolumeSource.Snapshot(s) : new VolumeSource.Empty(),
            _ => new VolumeSource.Empty(),
        };
        if (r.SizeGib == 0 && r.SourceCase == CreateVolumeRequest.SourceOneofCase.None)
            v.Add("size_gib", $"is required for an empty volume: 1-{MaxSizeGib} GiB");
        else if (r.SizeGib > MaxSizeGib)
            v.Add("size_gib", $"must be at most {MaxSizeGib} GiB (64 TiB); got {r.SizeGib}");
        var backend = Backend(v, "backend", r.Backend);
        if (r.SourceCase == CreateVolumeRequest.SourceOneofCase.ImageId)
        {
            if (backend is VolumeBackend.Nbd)
                v.Add("backend.nbd", "an image clone is a copy-on-write overlay on the host's copy of the image; use a local backend");
            else if (backend is VolumeBackend.Local { Format: DiskFormat.Raw })
                v.Add("backend.local.format", "an image clone is a QCOW2 overlay; use QCOW2 or leave the format unspecified");
        }
        var labels = v.Labels("labels", r.Labels);
        return v.Finish(() => new CreateVolume(requestId, tenant!, name, r.SizeGib == 0 ? null : r.SizeGib * Gib, backend, source, labels));
    }

    static VolumeBackend Backend(Violations v, string field, Infra.V1.VolumeBackend? b)
    {
        switch (b?.KindCase)
        {
            case Infra.V1.VolumeBackend.KindOneofCase.Local:
                var pool = v.Name(Violations.Path(field, "local.pool"), b.Local.Pool, required: false);
                DiskFormat? format = null;
                if (v.Defined(Violations.Path(field, "local.format"), b.Local.Format) && b.Local.Format != Infra.V1.DiskFormat.Unspecified)
                    format = b.Local.Format == Infra.V1.DiskFormat.Raw ? DiskFormat.Raw : DiskFormat.Qcow2;
                return new VolumeBackend.Local(pool.Length == 0 ? null : pool, format);
            case Infra.V1.VolumeBackend.KindOneofCase.Nbd:
                return NbdUri(v, Violations.Path(field, "nbd.uri"), b.Nbd.Uri) is { } uri ? new VolumeBackend.Nbd(uri) : VolumeBackend.Default;
            default:
                return VolumeBackend.Default;
        }
    }

    /// <summary>The URI forms qemu's NBD client opens: nbd[+tcp]://host[:port]/export and nbd+unix:///export?socket=path.</summary>
    static Uri? NbdUri(Violations v, string field, string text)
    {
        const string Example = "use nbd://host:10809/export or nbd+unix:///export?socket=/run/nbd.sock";
        if (text.Length == 0) { v.Add(field, $"is required; {Example}"); return null; }
        if (text.Length > 1024 || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || !NbdSchemes.Contains(uri.Scheme))
        {
            v.Add(field, $"\"{ResourceId.Clip(text)}\" is not an NBD URI; {Example}");
            return null;
        }
        var unix = uri.Scheme == "nbd+unix";
        if (unix && (uri.Host.Length > 0 || !uri.Query.StartsWith("?socket=/", StringComparison.Ordinal)))
        { v.Add(field, $"an nbd+unix URI has no host and names an absolute socket path in ?socket=; {Example}"); return null; }
        if (!unix && uri.Host.Length == 0)
        { v.Add(field, $"names no host; {Example}"); return null; }
        return uri;
    }

    public static ValidationResult<GetVolume> Validate(GetVolumeRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Volume);
        return v.Finish(() => new GetVolume(id!));
    }

    public static ValidationResult<ListVolumes> Validate(ListVolumesRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListVolumes(tenant, page));
    }

    /// <summary>"Larger than the current size" needs the volume; the handler checks it with <see cref="CheckGrow"/>.</summary>
    public static ValidationResult<ResizeVolume> Validate(ResizeVolumeRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Volume);
        if (r.SizeGib == 0 || r.SizeGib > MaxSizeGib) v.Add("size_gib", $"must be 1-{MaxSizeGib} GiB; got {r.SizeGib}");
        return v.Finish(() => new ResizeVolume(id!, r.SizeGib * Gib));
    }

    public static FailedPrecondition? CheckGrow(ResizeVolume resize, ulong currentBytes) =>
        resize.SizeBytes > currentBytes ? null : new FailedPrecondition("VOLUME_SHRINK", $"volumes/{resize.Id}",
            $"volume {resize.Id} is {currentBytes / (double)Gib:0.##} GiB; volumes only grow, so ask for more than that");

    public static ValidationResult<DeleteVolume> Validate(DeleteVolumeRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Volume);
        return v.Finish(() => new DeleteVolume(id!, r.Cascade));
    }
}
