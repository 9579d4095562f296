using Infra.Controller.Domain.Errors;
using Infra.V1;

namespace Infra.Controller.Api.Credentials;

/// <summary>A CreateCredential request that passed validation: every field checked, the role defaulted.</summary>
public sealed record CreateCredentialCommand(string Label, CredentialKind Kind, string TenantId, CredentialRole Role, DateTimeOffset? ExpiresAt);

/// <summary>Parses CreateCredential at the edge, collecting every field error at once. Whether the tenant
/// exists is the service's check (it needs the store).</summary>
public static class CredentialValidation
{
    public const int MaxLabel = 200;

    public static (CreateCredentialCommand? Command, List<FieldViolation> Violations) Validate(CreateCredentialRequest r, DateTimeOffset now)
    {
        var v = new List<FieldViolation>();
        var label = r.Label.Trim();
        if (label.Length == 0) v.Add(new("label", "is required: say whose credential this is (a person, a pipeline)"));
        else if (label.Length > MaxLabel) v.Add(new("label", $"is {label.Length} characters; at most {MaxLabel}"));
        var role = r.Role;
        switch (r.Kind)
        {
            case CredentialKind.Admin:
                if (r.TenantId.Length > 0) v.Add(new("tenant_id", "must be empty for an admin credential (an admin is not confined to a tenant)"));
                if (r.Role != CredentialRole.Unspecified) v.Add(new("role", "must be unspecified for an admin credential; roles are for tenant credentials"));
                break;
            case CredentialKind.Tenant:
                if (r.TenantId.Length == 0) v.Add(new("tenant_id", "is required for a tenant credential"));
                if (role == CredentialRole.Unspecified) role = CredentialRole.Member;
                else if (role is not (CredentialRole.Member or CredentialRole.Reader)) v.Add(new("role", $"{(int)role} is not a role; use MEMBER or READER"));
                break;
            default:
                v.Add(new("kind", "must be CREDENTIAL_KIND_ADMIN or CREDENTIAL_KIND_TENANT"));
                break;
        }
        DateTimeOffset? expires = null;
        if (r.ExpiresAt is { } e)
        {
            expires = e.ToDateTimeOffset();
            if (expires <= now) v.Add(new("expires_at", $"{expires:O} is not in the future (now is {now:O}); leave it unset for no expiry"));
        }
        return v.Count > 0 ? (null, v) : (new CreateCredentialCommand(label, r.Kind, r.TenantId, role, expires), v);
    }
}
