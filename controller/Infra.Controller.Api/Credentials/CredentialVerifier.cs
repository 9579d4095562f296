using System.Collections.Concurrent;
using Infra.Controller.Domain.Auth;
using Infra.V1;

namespace Infra.Controller.Api.Credentials;

/// <summary>
/// Turns a presented "infra_&lt;id&gt;_&lt;secret&gt;" token into its principal, or into the reason it is refused
/// (unknown, wrong secret, revoked, expired). Lookups are cached per id for <see cref="CacheFor"/> and at most
/// <see cref="MaxCached"/> ids, so a busy client costs one store read per window; a revocation made on this
/// replica drops the entry at once, one made on another replica takes effect here within <see cref="CacheFor"/>.
/// Expiry is checked against the clock on every call, cached or not.
/// </summary>
public sealed class CredentialVerifier(CredentialStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    public const int MaxCached = 4096;

    readonly ConcurrentDictionary<string, (StoredCredential? Value, bool TenantGone, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The principal, or null with <paramref name="why"/> saying what to do.</summary>
    public async Task<(Principal? Principal, string Why)> VerifyAsync(string token, CancellationToken ct)
    {
        if (!CredentialToken.TryParse(token, out var id, out var secret))
            return (null, "the bearer token looks like a credential but is not 'infra_<id>_<secret>'; copy the whole token infractl printed");
        var now = time.GetUtcNow();
        StoredCredential? stored;
        bool tenantGone;
        if (_cache.TryGetValue(id, out var hit) && hit.Until > now) (stored, tenantGone) = (hit.Value, hit.TenantGone);
        else
        {
            stored = (await store.GetAsync(id, ct).ConfigureAwait(false))?.Value;
            // Checked on the read, not only at DeleteTenant, so a credential created while its tenant was being
            // deleted (or one on another replica's cache) still dies with the tenant.
            tenantGone = stored?.Credential is { Kind: CredentialKind.Tenant } t
                && !await store.TenantExistsAsync(t.TenantId, ct).ConfigureAwait(false);
            if (_cache.Count >= MaxCached) _cache.Clear();
            _cache[id] = (stored, tenantGone, now + CacheFor);
        }
        // Unknown and wrong secret read the same, so a caller cannot tell which ids exist.
        if (stored is null || !CredentialToken.Matches(stored.SecretHash, secret))
            return (null, $"credential {id} is unknown or its secret does not match; ask an operator for a new one (infractl credential create)");
        var c = stored.Credential;
        if (c.RevokedAt is { } revoked)
            return (null, $"credential {id} was revoked at {revoked.ToDateTimeOffset():O}; ask an operator for a new one");
        if (tenantGone)
            return (null, $"credential {id} belonged to tenant {c.TenantId}, which was deleted; ask an operator for a credential of an existing tenant");
        if (c.ExpiresAt is { } expires && expires.ToDateTimeOffset() <= now)
            return (null, $"credential {id} expired at {expires.ToDateTimeOffset():O}; ask an operator for a new one");
        return (PrincipalOf(c), "");
    }

    /// <summary>Drops a cached lookup (after a revoke on this replica).</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    public static Principal PrincipalOf(Credential c) => c.Kind == CredentialKind.Admin
        ? Principal.Admin(c.Id)
        : Principal.Tenant(c.TenantId, c.Role == CredentialRole.Reader ? TenantRole.Reader : TenantRole.Member, c.Id);
}
