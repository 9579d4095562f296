namespace Infra.Grpc;

/// <summary>
/// Per-call settings for a client call. Deadline is absolute (UTC); Timeout is relative to the call's
/// start; when both are set the earlier one wins. Either is sent to the server as grpc-timeout and
/// enforced locally, ending the call with DEADLINE_EXCEEDED.
/// </summary>
public readonly record struct CallOptions(
    Metadata? Headers = null,
    DateTime? Deadline = null,
    CancellationToken CancellationToken = default,
    TimeSpan? Timeout = null)
{
    public CallOptions WithHeaders(Metadata headers) => this with { Headers = headers };
    public CallOptions WithDeadline(DateTime deadline) => this with { Deadline = deadline };
    public CallOptions WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };
    public CallOptions WithCancellationToken(CancellationToken token) => this with { CancellationToken = token };
}
