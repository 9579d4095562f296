using Infra.Controller.Domain.Audit;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>Parses ListAuditRecordsRequest: free-text filters are bounded, times ordered, the outcome one of the known names.</summary>
public static class AuditValidation
{
    public const int MaxFilterLength = 256;

    public static ValidationResult<ListAuditRecords> Validate(ListAuditRecordsRequest r)
    {
        var v = new Violations();
        var principal = Filter(v, "principal", r.Principal);
        var method = Filter(v, "method", r.Method);
        var objectId = Filter(v, "object_id", r.ObjectId);
        var since = Time(v, "since", r.Since);
        var until = Time(v, "until", r.Until);
        if (since is { } s && until is { } u && u <= s)
            v.Add("until", $"must be after since ({s:O}); got {u:O}");
        string? outcome = null;
        if (r.Outcome.Length > 0 && (outcome = AuditOutcome.ParseFilter(r.Outcome)) is null)
            v.Add("outcome", $"'{Cut(r.Outcome)}' is not an outcome: use OK, ERROR (any failure) or a status code name such as NOT_FOUND or PERMISSION_DENIED");
        var page = v.Page("page", r.Page);
        return v.Finish(() => new ListAuditRecords(principal, method, objectId, since, until, outcome, page));
    }

    static string? Filter(Violations v, string field, string text)
    {
        if (text.Length == 0) return null;
        if (text.Length > MaxFilterLength) { v.Add(field, $"must be at most {MaxFilterLength} characters; got {text.Length}"); return null; }
        if (text.Any(char.IsControl)) { v.Add(field, "must not contain control characters"); return null; }
        return text;
    }

    static DateTimeOffset? Time(Violations v, string field, Google.Protobuf.WellKnownTypes.Timestamp? t)
    {
        if (t is null) return null;
        // Timestamp's own range (years 1-9999, nanos 0-999999999); ToDateTimeOffset throws outside it.
        if (t.Seconds < -62135596800L || t.Seconds > 253402300799L || t.Nanos is < 0 or > 999_999_999)
        {
            v.Add(field, "is not a valid timestamp (years 0001-9999, nanos 0-999999999)");
            return null;
        }
        return t.ToDateTimeOffset();
    }

    static string Cut(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
