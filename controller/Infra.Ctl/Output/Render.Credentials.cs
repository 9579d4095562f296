using System.Globalization;
using Infra.V1;

namespace Infra.Ctl.Output;

public static partial class Render
{
    /// <summary>One row per credential; never a secret (the API has none to give). STATE is active, expired or revoked.</summary>
    public static void Credentials(IEnumerable<Credential> items, TextWriter w)
    {
        var t = new Table("ID", "LABEL", "PRINCIPAL", "CREATED", "EXPIRES", "STATE");
        var now = DateTimeOffset.UtcNow;
        foreach (var c in items)
        {
            var principal = c.Kind == CredentialKind.Admin ? "admin" : $"tenant:{c.TenantId} ({(c.Role == CredentialRole.Reader ? "reader" : "member")})";
            var state = c.RevokedAt is { } r ? "revoked " + Utc(r)
                : c.ExpiresAt is { } e && e.ToDateTimeOffset() <= now ? "expired" : "active";
            t.Row(c.Id, c.Label, principal, Utc(c.CreatedAt), c.ExpiresAt is null ? "never" : Utc(c.ExpiresAt), state);
        }
        t.WriteTo(w);
    }

    /// <summary>A store time as infractl prints it everywhere (credentials, join tokens): UTC, to the second.</summary>
    static string Utc(Google.Protobuf.WellKnownTypes.Timestamp? t) =>
        t?.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
