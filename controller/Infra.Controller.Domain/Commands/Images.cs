using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>The header of an image import. TenantId null: a public image. Format null: detect from the bytes.
/// SizeBytes null: unknown. Sha256: lower-case hex, null when the client gave none.</summary>
public sealed record ImportImage(string? RequestId, string? TenantId, string Name, DiskFormat? Format,
    ulong? SizeBytes, string? Sha256, Labels Labels);
public sealed record GetImage(string Id);
public sealed record ListImages(string? TenantId, Page Page);
public sealed record DeleteImage(string Id);
