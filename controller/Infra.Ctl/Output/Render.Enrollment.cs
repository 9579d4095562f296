using Infra.V1;

namespace Infra.Ctl.Output;

public static partial class Render
{
    /// <summary>One row per join token: what it allows and what became of it (unused, used by a host, revoked).</summary>
    public static void JoinTokens(IEnumerable<JoinToken> items, TextWriter w)
    {
        var t = new Table("ID", "HOST", "CORDONED", "EXPIRES", "STATUS", "DESCRIPTION");
        foreach (var x in items)
            t.Row(x.Id, x.HostId.Length == 0 ? "(any)" : x.HostId, x.Cordoned ? "yes" : "no", Utc(x.ExpireTime),
                x.RevokeTime is not null ? "revoked " + Utc(x.RevokeTime) : x.UsedTime is not null ? $"used by {x.UsedByHostId} {Utc(x.UsedTime)}" : "unused",
                x.Description);
        t.WriteTo(w);
    }
}
