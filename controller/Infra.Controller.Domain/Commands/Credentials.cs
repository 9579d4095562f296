using Infra.Controller.Domain.Model;
using Infra.V1;

namespace Infra.Controller.Domain.Commands;

/// <summary>A CreateCredential request that passed validation: every field checked, the role defaulted.
/// Whether <see cref="ExpiresAt"/> lies in the future and the tenant exists is the service's check (it needs the clock and the store).</summary>
public sealed record CreateCredential(string Label, CredentialKind Kind, string TenantId, CredentialRole Role, DateTimeOffset? ExpiresAt);
public sealed record ListCredentials(string? TenantId, Page Page);
public sealed record RevokeCredential(string Id);
