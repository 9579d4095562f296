using System.CommandLine;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Infra.Ctl.Cli;
using Infra.Ctl.Errors;
using Infra.Ctl.Output;
using Infra.V1;
using Command = System.CommandLine.Command;

namespace Infra.Ctl.Commands;

/// <summary>infractl audit list: the controller's record of mutating calls (admins only).</summary>
public static class AuditCommands
{
    public static Command Build(CommandKit kit)
    {
        var noun = new Command("audit", "The audit trail: one record per mutating call (who, what, which objects, how it ended); admins only");

        var principal = new Option<string>("--principal") { Description = "Only this principal, as shown: admin, tenant:ten-1, \"tenant:ten-1 (reader)\"" };
        var method = new Option<string>("--method") { Description = "Only methods containing this text (CreateInstance, Tenants/, Delete)" };
        var objectId = new Option<string>("--object") { Description = "Only records naming this object id" };
        var since = new Option<string>("--since") { Description = "Only records since a time: ago (30m, 1h, 7d) or RFC 3339 (2026-01-10T12:00:00Z)" };
        var until = new Option<string>("--until") { Description = "Only records before a time: ago (1h, 2d) or RFC 3339" };
        var outcome = new Option<string>("--outcome") { Description = "Only this outcome: OK, ERROR (any failure) or a status code name (NOT_FOUND, PERMISSION_DENIED)" };
        var size = Opt.PageSize(); var token = Opt.PageToken();
        var list = new Command("list", "List audit records, oldest first") { principal, method, objectId, since, until, outcome, size, token };
        noun.Subcommands.Add(kit.Unary(list, (c, r, o) => c.Audit.ListAuditRecordsAsync(r, o),
            (p, _) => new ListAuditRecordsRequest
            {
                Principal = p.GetValue(principal) ?? "",
                Method = p.GetValue(method) ?? "",
                ObjectId = p.GetValue(objectId) ?? "",
                Since = p.GetValue(since) is { } s ? Timestamp.FromDateTimeOffset(Time(s, "--since", kit.Now())) : null,
                Until = p.GetValue(until) is { } u ? Timestamp.FromDateTimeOffset(Time(u, "--until", kit.Now())) : null,
                Outcome = p.GetValue(outcome)?.Trim().ToUpperInvariant() ?? "",
                Page = Opt.Page(p, size, token),
            },
            (r, w) => { Render.AuditRecords(r.Records, w); Opt.MorePages(r.Page, w); }));
        return noun;
    }

    /// <summary>A point in time: an RFC 3339 timestamp, or a duration ago ("7d" for days, else as --timeout: 90s, 30m, 1h).</summary>
    public static DateTimeOffset Time(string text, string flag, DateTimeOffset now)
    {
        var t = text.Trim();
        if (t.Contains('T') || t.Count(c => c == '-') >= 2)
        {
            if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at.ToUniversalTime();
            throw new UsageException($"{flag} '{text}' is not a time like 2026-01-10T12:00:00Z or a duration ago like 1h or 7d");
        }
        if (t.EndsWith('d') && double.TryParse(t[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var days) && days > 0 && days <= 36500)
            return now - TimeSpan.FromDays(days);
        return now - Durations.Parse(t, flag);
    }
}
