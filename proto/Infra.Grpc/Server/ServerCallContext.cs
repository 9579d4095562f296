using Microsoft.AspNetCore.Http;

namespace Infra.Grpc;

/// <summary>
/// What a service method knows about its call: the caller's headers, deadline and cancellation,
/// and where to put response headers, trailers and a status. The CancellationToken fires when the
/// client cancels (RST_STREAM), the connection drops, or the deadline passes.
/// </summary>
public sealed class ServerCallContext
{
    readonly Server.HttpServerCall _call;

    internal ServerCallContext(Server.HttpServerCall call) => _call = call;

    /// <summary>"/package.Service/Method".</summary>
    public string Method => _call.MethodName;
    public string Host => _call.Http.Request.Host.Value ?? "";
    public string Peer => _call.Peer;
    /// <summary>The call's deadline in UTC, or DateTime.MaxValue when the client sent none.</summary>
    public DateTime Deadline => _call.Deadline;
    public Metadata RequestHeaders => _call.RequestHeaders;
    public CancellationToken CancellationToken => _call.CancellationToken;
    public Metadata ResponseTrailers => _call.ResponseTrailers;
    /// <summary>The status sent when the method returns normally; throwing RpcException overrides it.</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>Sends response headers now (at most once, before the first response message).</summary>
    public Task WriteResponseHeadersAsync(Metadata headers) => _call.WriteResponseHeadersAsync(headers);

    /// <summary>The underlying ASP.NET Core request, e.g. for the TLS client certificate.</summary>
    public HttpContext GetHttpContext() => _call.Http;
}
