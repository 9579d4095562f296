using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.V1;
using DiskFormat = Infra.Controller.Domain.Model.DiskFormat;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the Images service's requests; an import stream must open with its header.</summary>
public static class ImageValidation
{
    public const ulong MaxImageBytes = VolumeValidation.MaxSizeGib * VolumeValidation.Gib;

    /// <summary>Validates the first message of an ImportImage stream.</summary>
    public static ValidationResult<ImportImage> ValidateFirst(ImportImageRequest first)
    {
        if (first.PartCase != ImportImageRequest.PartOneofCase.Header)
            return ValidationResult<ImportImage>.Invalid([new FieldViolation("header",
                "the first message of an import must be the header (name, format, size, sha256); send data only after it")]);
        return Validate(first.Header);
    }

    public static ValidationResult<ImportImage> Validate(ImportImageHeader h)
    {
        var v = new Violations();
        var requestId = v.RequestId("request_id", h.RequestId);
        var tenant = v.Id("tenant_id", h.TenantId, IdKind.Tenant, required: false);
        var name = v.Name("name", h.Name);
        DiskFormat? format = null;
        if (v.Defined("format", h.Format) && h.Format != Infra.V1.DiskFormat.Unspecified)
            format = h.Format == Infra.V1.DiskFormat.Raw ? DiskFormat.Raw : DiskFormat.Qcow2;
        if (h.SizeBytes > MaxImageBytes)
            v.Add("size_bytes", $"is above the {MaxImageBytes / VolumeValidation.Gib} GiB limit; got {h.SizeBytes}");
        string? sha = null;
        if (h.Sha256.Length > 0)
        {
            if (h.Sha256.Length != 64 || !h.Sha256.All(char.IsAsciiHexDigit))
                v.Add("sha256", $"must be 64 hex digits (SHA-256, as sha256sum prints it); got {h.Sha256.Length} characters{(h.Sha256.All(char.IsAsciiHexDigit) ? "" : " with non-hex ones")}");
            else sha = h.Sha256.ToLowerInvariant();
        }
        var labels = v.Labels("labels", h.Labels);
        return v.Finish(() => new ImportImage(requestId, tenant, name, format, h.SizeBytes == 0 ? null : h.SizeBytes, sha, labels));
    }

    public static ValidationResult<GetImage> Validate(GetImageRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Image);
        return v.Finish(() => new GetImage(id!));
    }

    public static ValidationResult<ListImages> Validate(ListImagesRequest r)
    {
        var v = new Violations();
        var tenant = v.Id("tenant_id", r.TenantId, IdKind.Tenant, required: false);
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListImages(tenant, page));
    }

    public static ValidationResult<DeleteImage> Validate(DeleteImageRequest r)
    {
        var v = new Violations();
        var id = v.Id("id", r.Id, IdKind.Image);
        return v.Finish(() => new DeleteImage(id!));
    }
}
