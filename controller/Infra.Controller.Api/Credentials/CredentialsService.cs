using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Api.Services;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;
using Infra.Controller.Model.Store;
using Infra.V1;

namespace Infra.Controller.Api.Credentials;

/// <summary>
/// Credentials.*: operators issue, list and revoke API credentials (MethodRules makes all three admin-only;
/// the service checks again so that a rule typo cannot hand tenants the keys). The token is built and
/// returned once by CreateCredential; only the hash of its secret is stored (<see cref="CredentialStore"/>).
/// Revoked credentials are kept, marked, so a caller still using one is told when it was revoked.
/// </summary>
public sealed class CredentialsService(ApiContext api, CredentialStore store, CredentialVerifier verifier) : Infra.V1.Credentials.CredentialsBase
{
    public override async Task<CreateCredentialResponse> CreateCredential(CreateCredentialRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var ct = context.CancellationToken;
        var now = api.Time.GetUtcNow();
        var parsed = CredentialValidation.Validate(request);
        if (CredentialValidation.ExpiryNotInFuture(request, now) is { } past)
            throw ApiErrors.Of(new InvalidArgument([.. parsed.Violations, past]));
        var cmd = ApiErrors.Valid(parsed);
        if (cmd.Kind == CredentialKind.Tenant && await api.Store.GetAsync(Kinds.Tenant, cmd.TenantId, ct) is null)
            throw ApiErrors.Invalid("tenant_id", $"tenant {cmd.TenantId} does not exist; create it first or check the id (infractl tenant list)");
        var credential = new Credential
        {
            Id = CredentialToken.NewId(),
            Label = cmd.Label,
            Kind = cmd.Kind,
            TenantId = cmd.TenantId,
            Role = cmd.Kind == CredentialKind.Tenant ? cmd.Role : CredentialRole.Unspecified,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            ExpiresAt = cmd.ExpiresAt is { } e ? Timestamp.FromDateTimeOffset(e) : null,
        };
        var secret = CredentialToken.NewSecret();
        await store.CreateAsync(new StoredCredential(CredentialToken.Hash(secret), credential), ct);
        verifier.Forget(credential.Id);
        return new CreateCredentialResponse { Credential = credential, Token = CredentialToken.Format(credential.Id, secret) };
    }

    public override async Task<ListCredentialsResponse> ListCredentials(ListCredentialsRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var cmd = ApiErrors.Valid(CredentialValidation.Validate(request));
        var page = cmd.Page;
        var all = (await store.ListAsync(context.CancellationToken))
            .Where(c => cmd.TenantId is null || c.TenantId == cmd.TenantId)
            .Where(c => Paging.Decode(page.Token) is not { } after || string.CompareOrdinal(c.Id, after) > 0)
            .ToList();
        var response = new ListCredentialsResponse { Page = new PageResponse() };
        response.Credentials.AddRange(all.Take(page.Size));
        if (all.Count > page.Size) response.Page.NextPageToken = Paging.Encode(all[page.Size - 1].Id);
        return response;
    }

    public override async Task<Credential> RevokeCredential(RevokeCredentialRequest request, ServerCallContext context)
    {
        RequireAdmin(context);
        var ct = context.CancellationToken;
        var id = ApiErrors.Valid(CredentialValidation.Validate(request)).Id;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = await store.GetAsync(id, ct) ?? throw ApiErrors.NotFound("credential", id);
            if (current.Value.Credential.RevokedAt is not null) return current.Value.Credential;
            var revoked = current.Value.Credential.Clone();
            revoked.RevokedAt = Timestamp.FromDateTimeOffset(api.Time.GetUtcNow());
            if (await store.UpdateAsync(current.Value with { Credential = revoked }, current.ModRevision, ct))
            {
                verifier.Forget(id);
                return revoked;
            }
        }
        throw ApiErrors.Contended($"revoking credential {id}");
    }

    static void RequireAdmin(ServerCallContext context)
    {
        var principal = CallPrincipal.Of(context);
        if (!principal.IsAdmin)
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"credentials are for admins only; {principal} may not manage them (use an admin credential)"));
    }
}
