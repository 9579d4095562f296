using System.Security.Cryptography;
using Infra.V1;

namespace Infra.Controller.Domain.Enrollment;

/// <summary>Why Enroll refused a join token: each says what happened, so the operator knows what to do.</summary>
public enum TokenRefusal { None, Malformed, Unknown, WrongSecret, Used, Expired, Revoked, WrongHost, HostRevoked }

/// <summary>
/// Join tokens: <c>jt_&lt;id&gt;_&lt;secret&gt;</c>. The id is public (listing, revoking, audit); the
/// secret is 32 random bytes (base64url) and only its SHA-256 is stored, so reading the store does not
/// let anyone enroll. Whether a presented token may enroll a host is <see cref="Check"/>, a pure
/// function of the stored token and the clock; using it up is a compare-and-swap on its store key.
/// </summary>
public static class JoinTokens
{
    public const string Prefix = "jt_";
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);

    /// <summary>A new token: (id, whole token string, SHA-256 of the secret).</summary>
    public static (string Id, string Token, byte[] SecretHash) New()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>Splits "jt_id_secret"; false when it is not of that form.</summary>
    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        token = token.Trim();
        if (!token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = token[Prefix.Length..];
        var sep = rest.IndexOf('_');
        if (sep <= 0 || sep == rest.Length - 1) return false;
        id = rest[..sep];
        secret = rest[(sep + 1)..];
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> may enroll <paramref name="hostId"/> with this stored token at <paramref name="now"/>.</summary>
    /// <param name="hostRevoked">The host was revoked: only a token bound to its id (an operator's explicit decision) re-enrolls it.</param>
    public static TokenRefusal Check(StoredJoinToken? stored, string secret, string hostId, DateTimeOffset now, bool hostRevoked = false)
    {
        if (stored is null) return TokenRefusal.Unknown;
        if (!CryptographicOperations.FixedTimeEquals(stored.SecretSha256.Span, Hash(secret))) return TokenRefusal.WrongSecret;
        var t = stored.Token;
        if (t.RevokeTime is not null) return TokenRefusal.Revoked;
        if (t.UsedTime is not null) return TokenRefusal.Used;
        if (t.ExpireTime is not null && t.ExpireTime.ToDateTimeOffset() <= now) return TokenRefusal.Expired;
        if (t.HostId.Length > 0 && t.HostId != hostId) return TokenRefusal.WrongHost;
        if (hostRevoked && t.HostId != hostId) return TokenRefusal.HostRevoked;
        return TokenRefusal.None;
    }

    /// <summary>The message Enroll ends with for a refusal: what happened and what to do.</summary>
    public static string Explain(TokenRefusal refusal, JoinToken? t, string hostId) => refusal switch
    {
        TokenRefusal.Malformed => "token: not a join token (expected 'jt_<id>_<secret>' as infractl enrollment create-token prints it)",
        TokenRefusal.Unknown => "token: no such join token on this cluster; create one (infractl enrollment create-token)",
        TokenRefusal.WrongSecret => "token: the secret does not match the join token; copy the whole token string",
        TokenRefusal.Revoked => $"token: join token {t?.Id} was revoked at {t?.RevokeTime?.ToDateTimeOffset():u}; create a new one",
        TokenRefusal.Used => $"token: join token {t?.Id} was already used (by host {t?.UsedByHostId} at {t?.UsedTime?.ToDateTimeOffset():u}); tokens are single-use, create a new one",
        TokenRefusal.Expired => $"token: join token {t?.Id} expired at {t?.ExpireTime?.ToDateTimeOffset():u}; create a new one",
        TokenRefusal.WrongHost => $"host_id: join token {t?.Id} is bound to host '{t?.HostId}', not '{hostId}'; set the agent's host_id or use a token for it",
        TokenRefusal.HostRevoked => $"host_id: host '{hostId}' was revoked; only a join token bound to it re-enrolls it (infractl enrollment create-token --host-id {hostId})",
        _ => "",
    };

    static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
