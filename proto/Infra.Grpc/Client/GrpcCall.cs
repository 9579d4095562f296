using System.Net.Http.Headers;
using Google.Protobuf;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Client;

/// <summary>
/// One client call = one HTTP/2 request. The request body is pushed by HttpContent (one message, or
/// a stream fed by the caller's writes); the response body is parsed frame by frame from a PipeReader
/// as the caller asks for messages, so nothing is buffered beyond one message and HTTP/2 flow control
/// holds the server back when we read slowly. Cancellation or the deadline disposes the response,
/// which makes SocketsHttpHandler send RST_STREAM so the server's CancellationToken fires.
/// </summary>
internal interface IClientCall : IDisposable
{
    Task<Metadata> ResponseHeadersAsync { get; }
    Status GetStatus();
    Metadata GetTrailers();
}

internal sealed partial class GrpcCall<TRequest, TResponse> : IClientCall, ICallStatus
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
{
    static readonly MediaTypeHeaderValue GrpcMediaType = new(GrpcHeaders.ContentType);
    const string UserAgent = "grpc-dotnet-infra/1.0";

    readonly GrpcChannel _channel;
    readonly Method<TRequest, TResponse> _method;
    readonly CallOptions _options;
    readonly CancellationTokenSource _cts;
    readonly DateTime? _deadline;
    // Headers and trailers are turned into Metadata only when asked for: most calls never look.
    Task<Metadata>? _headersTask;
    Metadata? _responseHeaders;
    System.Net.Http.Headers.HttpResponseHeaders? _trailerSource;
    CancellationTokenRegistration _userCancel;
    Task _sendTask = Task.CompletedTask;
    HttpResponseMessage? _response;
    MessageReader? _reader;
    Status? _status;
    Metadata? _trailers;
    bool _deadlineHit;
    int _disposed;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _cts = new CancellationTokenSource();
        var now = channel.Options.TimeProvider.GetUtcNow().UtcDateTime;
        _deadline = options.Deadline;
        if (options.Timeout is { } t && (_deadline is null || now + t < _deadline)) _deadline = now + t;
        if (options.CancellationToken.CanBeCanceled)
            _userCancel = options.CancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(false), this);
    }

    public CancellationToken CallToken => _cts.Token;

    HttpRequestMessage CreateRequest(HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetUri(_method.FullName))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var h = request.Headers;
        h.TryAddWithoutValidation("te", "trailers");
        h.TryAddWithoutValidation("user-agent", UserAgent);
        if (_deadline is { } d)
        {
            var remaining = d - _channel.Options.TimeProvider.GetUtcNow().UtcDateTime;
            h.TryAddWithoutValidation(GrpcHeaders.Timeout, GrpcTimeout.Format(remaining));
            if (remaining <= TimeSpan.Zero) Abort(true);
            else if (remaining < TimeSpan.FromDays(30)) StartDeadlineTimer(remaining);
        }
        AddHeaders(h, _channel.Options.DefaultHeaders);
        AddHeaders(h, _options.Headers);
        content.Headers.ContentType = GrpcMediaType;
        return request;
    }

    static void AddHeaders(HttpRequestHeaders h, Metadata? md)
    {
        if (md is null) return;
        foreach (var e in md) h.TryAddWithoutValidation(e.Key, MetadataCodec.EncodeValue(e));
    }

    void StartDeadlineTimer(TimeSpan remaining)
    {
        var time = _channel.Options.TimeProvider;
        // Disposed by Finish, Abort and Dispose; no registration on _cts (two more objects per call).
        _deadlineTimer = time.CreateTimer(static s => ((GrpcCall<TRequest, TResponse>)s!).Abort(true), this, remaining, Timeout.InfiniteTimeSpan);
    }

    ITimer? _deadlineTimer;
    StreamingContent? _streamingContent;

    public void StartUnary(TRequest request)
    {
        var size = request.CalculateSize();
        if (size > _channel.Options.MaxSendMessageSize)
        {
            _status = new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {_channel.Options.MaxSendMessageSize} bytes).");
            _trailers = new Metadata();
            return;
        }
        _sendTask = SendAsync(CreateRequest(new UnaryContent(request, size, _channel.Options.BufferPool)));
    }

    public ClientRequestStream<TRequest> StartStreaming()
    {
        var content = _streamingContent = new StreamingContent();
        var writer = new ClientRequestStream<TRequest>(content, _channel.Options.MaxSendMessageSize, this, _channel.Options.BufferPool);
        _sendTask = SendAsync(CreateRequest(content));
        return writer;
    }

    /// <summary>The status, once the call ended (null before).</summary>
    public Status? Status => _status;

    public Task<Metadata> ResponseHeadersAsync => _headersTask ??= HeadersAsync();

    async Task<Metadata> HeadersAsync()
    {
        await _sendTask.ConfigureAwait(false);
        return _responseHeaders ??= _response is { } r ? ReadMetadata(r.Headers) : new Metadata();
    }

    public RpcException? StatusError() => _status is null ? null : new RpcException(_status.Value, _trailers ?? new Metadata());

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not finished yet; read the whole response first.");
    public Metadata GetTrailers() => _status is null
        ? throw new InvalidOperationException("The call has not finished yet; read the whole response first.")
        : _trailers ??= _trailerSource is null ? new Metadata() : ReadMetadata(_trailerSource);

    /// <summary>Ends the call locally: deadline (DEADLINE_EXCEEDED) or user cancellation (CANCELLED).</summary>
    public void Abort(bool deadline)
    {
        if (_status is not null) return;
        _deadlineHit |= deadline;
        _deadlineTimer?.Dispose();
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        // Disposing the response resets the HTTP/2 stream even when nobody is reading it now.
        try { _response?.Dispose(); } catch { }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_status is null)
        {
            Abort(false);
            Finish(new Grpc.Status(StatusCode.Cancelled, "The call was disposed."), new Metadata());
        }
        _userCancel.Dispose();
        _deadlineTimer?.Dispose();
        _response?.Dispose();
        // _cts is not disposed: writers and readers racing with Dispose may still read its token.
    }
}
