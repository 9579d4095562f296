using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Auth;
using Infra.Controller.Domain.Enrollment;
using Infra.Controller.Domain.Validation;
using Infra.Controller.Model.Store;
using Infra.V1;

namespace Infra.Controller.Api.Enrollment;

/// <summary>
/// infra.v1.Enrollment: join tokens (admin), Enroll (open: the token is the credential; the request is
/// signed before the token is used up, so a bad CSR does not burn it), Renew (the calling host's own
/// certificate) and RevokeHost (admin).
/// A newly enrolled host is recorded cordoned unless its token says otherwise; its agent's Hello
/// then fills in the rest (HostRecords keeps operator-owned fields such as cordon).
/// </summary>
public sealed class EnrollmentService(Infra.Store.IKeyValueStore kv, ClusterCaStore ca, JoinTokenStore tokens, HostRevocations revocations,
    TimeProvider time) : Infra.V1.Enrollment.EnrollmentBase
{
    public override async Task<CreateJoinTokenResponse> CreateJoinToken(CreateJoinTokenRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(EnrollmentValidation.Validate(request));
        var (t, token) = await tokens.CreateAsync(cmd.HostId, cmd.Cordoned, cmd.Description, cmd.Ttl, context.CancellationToken);
        return new CreateJoinTokenResponse { JoinToken = t, Token = token };
    }

    public override async Task<ListJoinTokensResponse> ListJoinTokens(ListJoinTokensRequest request, ServerCallContext context)
    {
        ApiErrors.Valid(EnrollmentValidation.Validate(request));
        var r = new ListJoinTokensResponse();
        r.JoinTokens.AddRange(await tokens.ListAsync(context.CancellationToken));
        return r;
    }

    public override async Task<JoinToken> RevokeJoinToken(RevokeJoinTokenRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(EnrollmentValidation.Validate(request));
        var (refusal, t) = await tokens.RevokeAsync(cmd.Id, context.CancellationToken);
        return refusal switch
        {
            TokenRefusal.None => t!,
            TokenRefusal.Unknown => throw ApiErrors.NotFound("JoinToken", cmd.Id),
            _ => throw ApiErrors.Precondition("USED", "join-token/" + cmd.Id,
                $"join token {cmd.Id} was already used by host {t?.UsedByHostId}; revoke the host instead (RevokeHost)"),
        };
    }

    public override async Task<EnrollResponse> Enroll(EnrollRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(EnrollmentValidation.Validate(request));
        // Sign first, use the token after: a request that cannot be signed must not use it up.
        var signed = await SignAsync(cmd.Csr, cmd.HostId, ct);
        var revoked = await revocations.IsRevokedAsync(cmd.HostId, ct);
        var (refusal, t) = await tokens.UseAsync(cmd.TokenId, cmd.TokenSecret, cmd.HostId, revoked, ct);
        if (refusal != TokenRefusal.None) throw Refused(refusal, t, cmd.HostId);
        if (revoked) await revocations.ClearAsync(cmd.HostId, ct);
        await ObjectStore.ChangeAsync(kv, Kinds.Host, cmd.HostId, h => h is not null ? null : new Host
        {
            Meta = new ObjectMeta { Id = cmd.HostId, Name = cmd.HostId, CreateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) },
            Cordoned = t!.Cordoned,
        }, ct);
        return signed;
    }

    public override async Task<EnrollResponse> Renew(RenewRequest request, ServerCallContext context)
    {
        var p = CallPrincipal.Of(context);
        if (p.Kind != PrincipalKind.Host)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{p} may not call Renew: it renews the calling host's own certificate, so call it with that certificate"));
        var cmd = ApiErrors.Valid(EnrollmentValidation.Validate(request));
        return await SignAsync(cmd.Csr, p.Id, context.CancellationToken);
    }

    public override async Task<RevokeHostResponse> RevokeHost(RevokeHostRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(EnrollmentValidation.Validate(request));
        var now = time.GetUtcNow();
        await revocations.RevokeAsync(cmd.HostId, now, context.CancellationToken);
        return new RevokeHostResponse { HostId = cmd.HostId, RevokeTime = Timestamp.FromDateTimeOffset(now) };
    }

    async Task<EnrollResponse> SignAsync(ReadOnlyMemory<byte> csr, string hostId, CancellationToken ct)
    {
        var material = await ca.GetAsync(ct);
        using var caCert = material.Load();
        var r = HostCertificates.Sign(caCert, csr.Span, hostId, time.GetUtcNow());
        if (r.Error is not null) throw ApiErrors.Invalid("csr", r.Error);
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(r.CertPem);
        return new EnrollResponse
        {
            CertificatePem = r.CertPem, CaCertificatePem = material.CertPem, HostId = hostId,
            ExpireTime = Timestamp.FromDateTime(cert.NotAfter.ToUniversalTime()),
        };
    }

    static RpcException Refused(TokenRefusal refusal, JoinToken? t, string hostId) => new(new Status(
        refusal is TokenRefusal.Unknown or TokenRefusal.WrongSecret ? StatusCode.Unauthenticated : StatusCode.PermissionDenied,
        "Enroll refused: " + JoinTokens.Explain(refusal, t, hostId)));
}
