using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Infra.Ctl.Cli;
using Infra.V1;
using Grpc.Core;
using GrpcStatusCode = Grpc.Core.StatusCode;

namespace Infra.Ctl.Errors;

/// <summary>
/// Turns a failed call into an exit code and the lines printed on stderr: one summary line, plus one line
/// per field violation for INVALID_ARGUMENT. Rich details come from the google.rpc.Status in the
/// grpc-status-details-bin trailer; a trailer that does not parse is ignored (the summary still prints).
/// </summary>
public static class ErrorReporter
{
    public const string WhereToPoint = "point infractl elsewhere with --controller URL, env INFRA_CONTROLLER, or 'controller:' in ~/.config/infra/infractl.yaml";

    public static int ExitCodeFor(GrpcStatusCode code) => code switch
    {
        GrpcStatusCode.OK => ExitCodes.Ok,
        GrpcStatusCode.InvalidArgument or GrpcStatusCode.OutOfRange => ExitCodes.InvalidArgument,
        GrpcStatusCode.NotFound => ExitCodes.NotFound,
        GrpcStatusCode.AlreadyExists => ExitCodes.AlreadyExists,
        GrpcStatusCode.FailedPrecondition or GrpcStatusCode.Aborted => ExitCodes.Conflict,
        GrpcStatusCode.Unauthenticated or GrpcStatusCode.PermissionDenied => ExitCodes.Unauthorized,
        GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded => ExitCodes.Unavailable,
        _ => ExitCodes.Unexpected,
    };

    /// <summary>
    /// A call that never reached the controller is UNAVAILABLE whatever the client library called it:
    /// Grpc.Net.Client reports a refused TLS handshake as INTERNAL with the HttpRequestException attached.
    /// </summary>
    public static RpcException Normalize(RpcException e) =>
        e.StatusCode == GrpcStatusCode.Internal && e.Status.DebugException is HttpRequestException
            ? new RpcException(new Grpc.Core.Status(GrpcStatusCode.Unavailable, e.Status.Detail, e.Status.DebugException), e.Trailers, e.Message)
            : e;

    /// <summary>The stderr lines for a failed call against <paramref name="controller"/>.</summary>
    public static IReadOnlyList<string> Lines(RpcException e, string controller, TimeSpan? timeout)
    {
        var details = ParseDetails(e.StatusDetails);
        var detail = OneLine(string.IsNullOrWhiteSpace(e.Status.Detail) ? details?.Message ?? "" : e.Status.Detail);
        var lines = new List<string>();
        switch (e.StatusCode)
        {
            case GrpcStatusCode.InvalidArgument or GrpcStatusCode.OutOfRange:
                lines.Add($"error: invalid argument: {Or(detail, "the controller rejected the request")}");
                foreach (var v in Unpack<BadRequest>(details).SelectMany(b => b.FieldViolations))
                    lines.Add($"error: invalid argument: {v.Field}: {OneLine(v.Description)}");
                break;
            case GrpcStatusCode.NotFound:
                lines.Add($"error: not found: {Or(detail, ResourceText(details, "does not exist"))}");
                break;
            case GrpcStatusCode.AlreadyExists:
                lines.Add($"error: already exists: {Or(detail, ResourceText(details, "already exists"))}");
                break;
            case GrpcStatusCode.FailedPrecondition or GrpcStatusCode.Aborted:
                var what = e.StatusCode == GrpcStatusCode.Aborted ? "conflict" : "failed precondition";
                var violations = Unpack<PreconditionFailure>(details).SelectMany(p => p.Violations)
                    .Select(v => OneLine(string.IsNullOrEmpty(v.Subject) ? v.Description : $"{v.Subject}: {v.Description}"))
                    .Where(v => !detail.Contains(v, StringComparison.Ordinal)).ToList();
                var suffix = violations.Count == 0 ? "" : $" ({string.Join("; ", violations)})";
                var hint = e.StatusCode == GrpcStatusCode.Aborted ? "; the object changed meanwhile, read it again and retry" : "";
                lines.Add($"error: {what}: {Or(detail, "the object is not in a state that allows this")}{suffix}{hint}");
                break;
            case GrpcStatusCode.Unauthenticated:
                lines.Add($"error: unauthenticated: {Or(detail, "no valid token")}; pass --token, set env INFRA_TOKEN, or 'token:' in ~/.config/infra/infractl.yaml");
                break;
            case GrpcStatusCode.PermissionDenied:
                lines.Add($"error: permission denied: {Or(detail, "the token may not do this")}");
                break;
            case GrpcStatusCode.Unavailable when detail.StartsWith("host ", StringComparison.Ordinal):
                // The controller answered: a host's agent (not the controller) is out of reach.
                lines.Add($"error: unavailable: {detail}");
                break;
            case GrpcStatusCode.Unavailable:
                lines.Add($"error: cannot reach the controller at {controller}: {Or(detail, "unavailable")}; {WhereToPoint}");
                break;
            case GrpcStatusCode.DeadlineExceeded:
                var after = timeout is { } t ? $" after {Durations.Format(t)}" : "";
                lines.Add($"error: deadline exceeded{after} waiting for the controller at {controller}; raise --timeout, or {WhereToPoint}");
                break;
            default:
                lines.Add($"error: {CodeName(e.StatusCode)}: {Or(detail, "the call failed")}");
                break;
        }
        return lines;
    }

    static Google.Rpc.Status? ParseDetails(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0) return null;
        try { return Google.Rpc.Status.Parser.ParseFrom(bytes); }
        catch (Google.Protobuf.InvalidProtocolBufferException) { return null; }
    }

    static IEnumerable<T> Unpack<T>(Google.Rpc.Status? s) where T : class, Google.Protobuf.IMessage<T>, new()
    {
        if (s is null) yield break;
        var descriptor = new T().Descriptor;
        foreach (Any any in s.Details)
            if (any.Is(descriptor)) yield return any.Unpack<T>();
    }

    static string ResourceText(Google.Rpc.Status? s, string verb)
    {
        var r = Unpack<ResourceInfo>(s).FirstOrDefault();
        return r is null ? "" : $"{r.ResourceType} '{r.ResourceName}' {verb}";
    }

    static string Or(string a, string b) => string.IsNullOrWhiteSpace(a) ? b : a;

    internal static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Trim();

    /// <summary>"DEADLINE_EXCEEDED" -> "deadline exceeded", as people read it.</summary>
    static string CodeName(GrpcStatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
