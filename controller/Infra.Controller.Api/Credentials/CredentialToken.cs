using System.Security.Cryptography;
using System.Text;

namespace Infra.Controller.Api.Credentials;

/// <summary>
/// The token format, pure: "infra_&lt;id&gt;_&lt;secret&gt;", the id "cred-" and 16 base32 characters (no "_"),
/// the secret 32 random bytes in base64url (which may itself contain "_", so the id ends at the second "_").
/// Only SHA-256(secret) is stored: the secret has 256 bits of entropy, so a plain hash is as strong as a
/// slow one and keeps verification cheap; comparison is constant-time.
/// </summary>
public static class CredentialToken
{
    public const string Prefix = "infra_";
    const string IdPrefix = "cred-";
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string NewId() => IdPrefix + RandomNumberGenerator.GetString(Alphabet, 16);

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Format(string id, string secret) => Prefix + id + "_" + secret;

    /// <summary>True when <paramref name="token"/> looks like a credential token (then the caller must not
    /// fall back to bootstrap tokens' error message).</summary>
    public static bool IsCredential(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);

    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        if (!IsCredential(token)) return false;
        var rest = token[Prefix.Length..];
        var sep = rest.IndexOf('_');
        if (sep <= 0 || sep == rest.Length - 1) return false;
        id = rest[..sep];
        secret = rest[(sep + 1)..];
        return id.StartsWith(IdPrefix, StringComparison.Ordinal) && id.Length <= 64 && secret.Length <= 128;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[] storedHash, string secret) => CryptographicOperations.FixedTimeEquals(storedHash, Hash(secret));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
