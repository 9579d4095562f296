using System.Runtime.CompilerServices;
using System.Net.Http.Headers;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Client;

internal sealed partial class GrpcCall<TRequest, TResponse>
{
    async Task SendAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.Invoker.SendAsync(request, _cts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Finish(MapException(e, "Error starting gRPC call"), new Metadata());
            return;
        }
        _response = response;
        if (_cts.IsCancellationRequested) { response.Dispose(); Finish(CancelStatus(), new Metadata()); return; }

        if ((int)response.StatusCode != 200)
        {
            var headers = _responseHeaders = ReadMetadata(response.Headers);
            var code = response.Headers.NonValidated.Contains(GrpcHeaders.Status) ? ReadStatus(response.Headers) : new Status(GrpcHeaders.FromHttpStatus((int)response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
            Finish(code, headers);
            return;
        }
        if (response.Headers.NonValidated.Contains(GrpcHeaders.Status)) // trailers-only response
        {
            var headers = _responseHeaders = ReadMetadata(response.Headers);
            Finish(ReadStatus(response.Headers), headers);
            return;
        }
        // NonValidated: these are read on every call, and parsing them into typed header values costs.
        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var ct) ? ct.ToString() : null;
        if (!GrpcHeaders.IsGrpcContentType(contentType))
        {
            Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}"), new Metadata());
            return;
        }
        if (response.Headers.NonValidated.TryGetValues(GrpcHeaders.Encoding, out var enc) && enc.ToString() is { Length: > 0 } e2 && e2 != GrpcHeaders.Identity)
        {
            Finish(new Status(StatusCode.Internal, $"Response uses compression '{e2}', which this client does not support."), new Metadata());
            return;
        }
        var stream = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _reader = new MessageReader(stream, _channel.Options.BufferPool);
    }

    void Finish(Status status, Metadata? trailers)
    {
        if (_status is not null) return;
        _trailers = trailers;
        _status = status;
        _deadlineTimer?.Dispose();
        _userCancel.Unregister(); // a long-lived caller token must not collect one registration per call
        _streamingContent?.Abort(new RpcException(status, trailers ?? new Metadata()));
        _reader?.Release(); // now, or when a read in progress on another thread leaves
        if (status.StatusCode != StatusCode.OK) { try { _response?.Dispose(); } catch { } }
    }

    Status CancelStatus() => _deadlineHit ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : new Status(StatusCode.Cancelled, "Call canceled by the client.");

    Status MapException(Exception e, string what)
    {
        if (_cts.IsCancellationRequested) return CancelStatus();
        if (e is RpcException r) return r.Status;
        if (e is ObjectDisposedException) return new Status(StatusCode.Unavailable, $"{what}: the channel was disposed.");
        if (e is HttpProtocolException p)
            return p.ErrorCode == 0x8 ? new Status(StatusCode.Cancelled, "The server cancelled the stream (RST_STREAM CANCEL).")
                : new Status(StatusCode.Internal, $"{what}: HTTP/2 error {p.ErrorCode}: {p.Message}");
        if (e is HttpRequestException h && h.InnerException is not HttpProtocolException)
            // SocketsHttpHandler often repeats the inner message in the outer one ("Connection refused
            // (host:port)" wrapping "Connection refused"): add the inner text only when it says more.
            return new Status(StatusCode.Unavailable, $"{what}: {h.Message}{(h.InnerException is { } i && !h.Message.Contains(i.Message, StringComparison.Ordinal) ? " " + i.Message : "")}");
        return new Status(StatusCode.Internal, $"{what}: {e.GetType().Name}: {e.Message}");
    }

    RpcException StatusException() => new(_status!.Value, GetTrailers());

    /// <summary>The next response message, or null at a clean end with status OK; any other status
    /// (including a local deadline or cancellation) is thrown as RpcException. Awaited once per call
    /// (ClientResponseStream, ReadUnaryResponseAsync), so its state machine can come from a pool.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse?> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (_status is null) await _sendTask.ConfigureAwait(false);
        if (_status is { } s) return s.StatusCode == StatusCode.OK ? null : throw StatusException();
        using var reg = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static c => ((GrpcCall<TRequest, TResponse>)c!).Abort(false), this) : default;
        try
        {
            var max = _channel.Options.MaxReceiveMessageSize;
            var read = await _reader!.ReadAsync(static (parser, payload) => Server.HttpServerCall.ParseOrThrow(parser, payload, "response"),
                _method.ResponseParser, max, _cts.Token).ConfigureAwait(false);
            switch (read.Status)
            {
                case MessageReadStatus.Message:
                    return read.Message;
                case MessageReadStatus.End:
                    FinishFromTrailers();
                    return _status!.Value.StatusCode == StatusCode.OK ? null : throw StatusException();
                case MessageReadStatus.Compressed:
                    throw new RpcException(new Status(StatusCode.Internal, "Response message has the compressed flag set without grpc-encoding."));
                case MessageReadStatus.TooLarge:
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Received message exceeds the maximum configured message size ({read.Length} > {max} bytes)."));
                case MessageReadStatus.InvalidFlag:
                    throw new RpcException(new Status(StatusCode.Internal, "Response message has an invalid compressed-flag byte."));
                default:
                    throw new RpcException(new Status(StatusCode.Internal, $"Incomplete response message: the stream ended with {read.Length} bytes of a partial message."));
            }
        }
        catch (RpcException e) when (_status is null)
        {
            Finish(e.Status, e.Trailers);
            throw;
        }
        catch (Exception e) when (e is not RpcException)
        {
            Finish(MapException(e, "Error reading gRPC response"), _trailers ?? new Metadata());
            throw StatusException();
        }
    }

    void FinishFromTrailers()
    {
        var trailing = _response!.TrailingHeaders;
        var status = trailing.NonValidated.Contains(GrpcHeaders.Status) ? ReadStatus(trailing)
            : new Status(StatusCode.Internal, "The server ended the response without a grpc-status trailer.");
        _trailerSource = trailing;
        Finish(status, status.StatusCode == StatusCode.OK ? null : ReadMetadata(trailing));
        // The body is fully read: release it now. Left to the GC, SocketsHttpHandler's response stream
        // is finalizable, so every call would survive a collection (with its HTTP/2 stream, headers and
        // buffers) and wait for the finalizer thread: that promotion made every gen0 GC a gen1 GC
        // several ms long, which was most of the client's p99 under load. Headers and trailers stay
        // readable after Dispose.
        _reader!.Release();
        _response.Dispose();
    }

    public async Task<TResponse> ReadUnaryResponseAsync()
    {
        var message = await ReadNextAsync(default).ConfigureAwait(false)
            ?? throw Fail(new Status(StatusCode.Internal, "The server ended the call with OK but sent no response message."));
        if (await ReadNextAsync(default).ConfigureAwait(false) is not null)
            throw Fail(new Status(StatusCode.Internal, "The server sent more than one response message to a call that expects one."));
        return message;
    }

    RpcException Fail(Status status)
    {
        _status = null;
        Finish(status, _trailers ?? new Metadata());
        return StatusException();
    }

    static Status ReadStatus(HttpHeaders headers)
    {
        var raw = headers.NonValidated;
        var codeText = raw.TryGetValues(GrpcHeaders.Status, out var v) ? v.ToString() : null;
        var message = raw.TryGetValues(GrpcHeaders.Message, out var m) ? StatusMessage.Decode(m.ToString()) : "";
        if (!int.TryParse(codeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            return new Status(StatusCode.Unknown, $"Unparsable grpc-status '{codeText}'. {message}".Trim());
        return new Status((StatusCode)code, message);
    }

    static Metadata ReadMetadata(HttpHeaders headers)
    {
        var md = new Metadata();
        foreach (var h in headers.NonValidated)
        {
            var key = h.Key.ToLowerInvariant();
            if (MetadataCodec.IsReserved(key)) continue;
            foreach (var value in h.Value) MetadataCodec.TryAdd(md, key, value);
        }
        return md;
    }
}
