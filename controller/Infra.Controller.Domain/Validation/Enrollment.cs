using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Enrollment;
using Infra.Controller.Domain.Errors;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Parses the Enrollment service's requests. Host ids here are DNS labels (what Hello and the
/// certificate's infra://host/&lt;id&gt; SAN allow); certificate requests are at most 16 KiB.
/// </summary>
public static class EnrollmentValidation
{
    public const int MaxCsrBytes = 16 << 10;

    public static ValidationResult<CreateJoinToken> Validate(CreateJoinTokenRequest r)
    {
        var v = new Violations();
        var ttl = r.TtlSeconds == 0 ? JoinTokens.DefaultTtl : TimeSpan.FromSeconds(r.TtlSeconds);
        if (ttl > JoinTokens.MaxTtl)
            v.Add("ttl_seconds", $"{r.TtlSeconds} is longer than {JoinTokens.MaxTtl.TotalSeconds:0} (7 days); create the token when the host is about to join");
        if (r.HostId.Length > 0) Label(v, "host_id", r.HostId);
        var description = v.Text("description", r.Description, 255);
        return v.Finish(() => new CreateJoinToken(ttl, r.HostId, !r.Uncordoned, description));
    }

    public static ValidationResult<ListJoinTokens> Validate(ListJoinTokensRequest r) => new Violations().Finish(() => new ListJoinTokens());

    public static ValidationResult<RevokeJoinToken> Validate(RevokeJoinTokenRequest r)
    {
        var v = new Violations();
        if (r.Id.Length == 0) v.Add("id", "is required: the join token's id (ListJoinTokens)");
        return v.Finish(() => new RevokeJoinToken(r.Id));
    }

    public static ValidationResult<Enroll> Validate(EnrollRequest r)
    {
        var v = new Violations();
        string id = "", secret = "";
        if (r.Token.Length == 0) v.Add("token", "is required: the join token an operator created (CreateJoinToken)");
        else if (!JoinTokens.TryParse(r.Token, out id, out secret))
            v.Add("token", "is not a join token (expected 'jt_<id>_<secret>' as CreateJoinToken returned it)");
        Label(v, "host_id", r.HostId);
        Csr(v, "csr", r.Csr);
        return v.Finish(() => new Enroll(id, secret, r.HostId, r.Csr.Memory));
    }

    public static ValidationResult<Renew> Validate(RenewRequest r)
    {
        var v = new Violations();
        Csr(v, "csr", r.Csr);
        return v.Finish(() => new Renew(r.Csr.Memory));
    }

    public static ValidationResult<RevokeHost> Validate(RevokeHostRequest r)
    {
        var v = new Violations();
        Label(v, "host_id", r.HostId);
        return v.Finish(() => new RevokeHost(r.HostId));
    }

    static void Label(Violations v, string field, string hostId)
    {
        if (hostId.Length == 0) v.Add(field, "is required: the host's id (its agent's host_id)");
        else if (!HostIdentity.IsValidHostId(hostId))
            v.Add(field, $"\"{hostId}\" is not a DNS label (1-63 of a-z, 0-9 and '-', not starting or ending with '-'); set host_id in the agent config");
    }

    static void Csr(Violations v, string field, Google.Protobuf.ByteString csr)
    {
        if (csr.IsEmpty) v.Add(field, "is required: a PKCS#10 certificate request (PEM or DER) for the host's own key");
        else if (csr.Length > MaxCsrBytes) v.Add(field, $"is {csr.Length} bytes; a certificate request is at most {MaxCsrBytes}");
    }
}
