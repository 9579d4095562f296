using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Infra.Grpc.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Infra.Grpc.Server;

/// <summary>
/// One server-side call over one HTTP/2 stream: reads length-prefixed requests from the request
/// body pipe (consuming as it parses, so Kestrel's flow-control window only reopens as we read), writes
/// responses into the response pipe (FlushAsync waits when the client's window is closed), and ends
/// with the status in trailers, or in headers alone when nothing was sent (trailers-only).
/// </summary>
internal sealed partial class HttpServerCall : IDisposable
{
    readonly GrpcServerOptions _options;
    readonly CancellationTokenSource? _deadlineCts;
    Metadata? _requestHeaders;
    Metadata? _responseTrailers;
    bool _headersWritten;
    bool _messageWritten;

    public HttpServerCall(HttpContext http, string methodName, GrpcServerOptions options)
    {
        Http = http;
        MethodName = methodName;
        _options = options;
        Context = new ServerCallContext(this);
        CancellationToken = http.RequestAborted;
        Deadline = DateTime.MaxValue;
        if (http.Request.Headers.TryGetValue(GrpcHeaders.Timeout, out var t) && GrpcTimeout.TryParse(t.ToString(), out var timeout))
        {
            var now = options.TimeProvider.GetUtcNow().UtcDateTime;
            Deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
            // Linked so both a client RST_STREAM and the deadline reach the method's token.
            _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            if (timeout < TimeSpan.FromDays(30)) CancelAfter(_deadlineCts, timeout, options.TimeProvider);
            CancellationToken = _deadlineCts.Token;
        }
    }

    public HttpContext Http { get; }
    public string MethodName { get; }
    public ServerCallContext Context { get; }
    public DateTime Deadline { get; }
    public CancellationToken CancellationToken { get; }
    public string Peer => Http.Connection.RemoteIpAddress is { } ip ? $"{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")}:{ip}:{Http.Connection.RemotePort}" : "unknown";
    public bool DeadlineExceeded => _deadlineCts is { IsCancellationRequested: true } && !Http.RequestAborted.IsCancellationRequested;

    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    static void CancelAfter(CancellationTokenSource cts, TimeSpan timeout, TimeProvider time)
    {
        if (time == TimeProvider.System) { cts.CancelAfter(timeout); return; }
        var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), cts, timeout, Timeout.InfiniteTimeSpan);
        cts.Token.Register(static t => ((ITimer)t!).Dispose(), timer);
    }

    Metadata ReadRequestHeaders()
    {
        var md = new Metadata();
        foreach (var h in Http.Request.Headers)
        {
            if (MetadataCodec.IsReserved(h.Key)) continue;
            foreach (var v in h.Value) MetadataCodec.TryAdd(md, h.Key, v ?? "");
        }
        return md;
    }

    public async Task WriteResponseHeadersAsync(Metadata headers)
    {
        if (_headersWritten || Http.Response.HasStarted) throw new InvalidOperationException("Response headers can only be sent once per call.");
        foreach (var e in headers) Http.Response.Headers.Append(e.Key, MetadataCodec.EncodeValue(e));
        _headersWritten = true;
        await Http.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serializes a response into the response pipe without flushing (unary: the flush
    /// happens with the trailers, so message and status leave together).</summary>
    public void WriteMessage(IMessage message)
    {
        if (GrpcFrame.Write(Http.Response.BodyWriter, message, _options.MaxSendMessageSize) < 0)
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({message.CalculateSize()} > {_options.MaxSendMessageSize} bytes)."));
        _messageWritten = true;
        _headersWritten = true;
    }

    public async Task WriteMessageAndFlushAsync(IMessage message, CancellationToken cancellationToken)
    {
        WriteMessage(message);
        var result = await Http.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted) throw new RpcException(Status.DefaultCancelled, "The client is gone.");
    }

    /// <summary>Puts the status where the client expects it: trailers after data, or headers alone.</summary>
    public void SetStatus(Status status, Metadata? extraTrailers)
    {
        var response = Http.Response;
        var trailersOnly = !_messageWritten && !_headersWritten && !response.HasStarted;
        if (trailersOnly)
        {
            var h = response.Headers;
            h[GrpcHeaders.Status] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(status.Detail)) h[GrpcHeaders.Message] = StatusMessage.Encode(status.Detail);
            AppendAll(_responseTrailers, (k, v) => h.Append(k, v));
            AppendAll(extraTrailers, (k, v) => h.Append(k, v));
            return;
        }
        response.AppendTrailer(GrpcHeaders.Status, StatusCodeText(status.StatusCode));
        if (!string.IsNullOrEmpty(status.Detail)) response.AppendTrailer(GrpcHeaders.Message, StatusMessage.Encode(status.Detail));
        AppendAll(_responseTrailers, (k, v) => response.AppendTrailer(k, v));
        AppendAll(extraTrailers, (k, v) => response.AppendTrailer(k, v));
    }

    static readonly string[] CodeTexts = Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    static string StatusCodeText(StatusCode c) => (uint)c < CodeTexts.Length ? CodeTexts[(int)c] : ((int)c).ToString(System.Globalization.CultureInfo.InvariantCulture);

    static void AppendAll(Metadata? md, Action<string, string> append)
    {
        if (md is null) return;
        foreach (var e in md) append(e.Key, MetadataCodec.EncodeValue(e));
    }

    public void Dispose() => _deadlineCts?.Dispose();
}
