namespace Infra.Controller.Domain.Audit;

/// <summary>
/// How an audit record names the end of a call: "OK" or the canonical gRPC status code name
/// ("ALREADY_EXISTS", "PERMISSION_DENIED"), the spelling every gRPC implementation and grpcurl print.
/// Filters also take "ERROR", meaning every outcome but OK.
/// </summary>
public static class AuditOutcome
{
    public const string Ok = "OK";
    public const string AnyError = "ERROR";

    /// <summary>Index = the gRPC status code number (0-16).</summary>
    static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static IReadOnlyList<string> All => Names;

    public static string Of(int statusCode) => statusCode >= 0 && statusCode < Names.Length ? Names[statusCode] : "UNKNOWN";

    /// <summary>The canonical filter for a user's text ("not_found", "Ok", "error"), or null when it names no outcome.</summary>
    public static string? ParseFilter(string text)
    {
        var t = text.Trim().Replace('-', '_').ToUpperInvariant();
        return t == AnyError || Names.Contains(t) ? t : null;
    }

    /// <summary>Whether a recorded outcome passes a parsed filter (null: no filter).</summary>
    public static bool Matches(string? filter, string outcome) =>
        filter is null || (filter == AnyError ? outcome != Ok : outcome == filter);
}
