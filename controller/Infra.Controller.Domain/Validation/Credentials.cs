using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses the Credentials service's requests, every field error at once.</summary>
public static class CredentialValidation
{
    public const int MaxLabel = 200;

    public static ValidationResult<CreateCredential> Validate(CreateCredentialRequest r)
    {
        var v = new Violations();
        var label = r.Label.Trim();
        if (label.Length == 0) v.Add("label", "is required: say whose credential this is (a person, a pipeline)");
        else if (label.Length > MaxLabel) v.Add("label", $"is {label.Length} characters; at most {MaxLabel}");
        var role = r.Role;
        switch (r.Kind)
        {
            case CredentialKind.Admin:
                if (r.TenantId.Length > 0) v.Add("tenant_id", "must be empty for an admin credential (an admin is not confined to a tenant)");
                if (r.Role != CredentialRole.Unspecified) v.Add("role", "must be unspecified for an admin credential; roles are for tenant credentials");
                break;
            case CredentialKind.Tenant:
                if (r.TenantId.Length == 0) v.Add("tenant_id", "is required for a tenant credential");
                if (role == CredentialRole.Unspecified) role = CredentialRole.Member;
                else if (role is not (CredentialRole.Member or CredentialRole.Reader)) v.Add("role", $"{(int)role} is not a role; use MEMBER or READER");
                break;
            default:
                v.Add("kind", "must be CREDENTIAL_KIND_ADMIN or CREDENTIAL_KIND_TENANT");
                break;
        }
        DateTimeOffset? expires = null;
        if (r.ExpiresAt is { } e)
        {
            // Timestamp's own range; ToDateTimeOffset throws outside it.
            if (e.Seconds < -62135596800L || e.Seconds > 253402300799L || e.Nanos is < 0 or > 999_999_999)
                v.Add("expires_at", "is not a valid timestamp (years 0001-9999, nanos 0-999999999)");
            else expires = e.ToDateTimeOffset();
        }
        return v.Finish(() => new CreateCredential(label, r.Kind, r.TenantId, role, expires));
    }

    /// <summary>The one check that needs the clock, which a parser does not have: an expiry must lie in the
    /// future. The service adds it to the parser's violations, so a caller still learns every problem at once.</summary>
    public static FieldViolation? ExpiryNotInFuture(CreateCredentialRequest r, DateTimeOffset now)
    {
        if (r.ExpiresAt is not { } e || e.Seconds < -62135596800L || e.Seconds > 253402300799L || e.Nanos is < 0 or > 999_999_999) return null;
        var expires = e.ToDateTimeOffset();
        return expires <= now ? new FieldViolation("expires_at", $"{expires:O} is not in the future (now is {now:O}); leave it unset for no expiry") : null;
    }

    public static ValidationResult<ListCredentials> Validate(ListCredentialsRequest r)
    {
        var v = new Violations();
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListCredentials(r.TenantId.Length == 0 ? null : r.TenantId, page));
    }

    public static ValidationResult<RevokeCredential> Validate(RevokeCredentialRequest r)
    {
        var v = new Violations();
        if (r.Id.Length == 0) v.Add("id", "is required: the credential id (infractl credential list)");
        return v.Finish(() => new RevokeCredential(r.Id));
    }
}
