using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Google.Protobuf;
using Infra.Grpc.Client;

namespace Infra.Grpc;

/// <summary>
/// A connection to one gRPC server address (http:// = h2c with prior knowledge, https:// = TLS with
/// ALPN h2), multiplexing calls over HTTP/2 on a SocketsHttpHandler. Thread-safe; make one per server
/// and share it. Generated clients take it in their constructor; the four call methods below are the
/// untyped layer they use.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    readonly ConcurrentDictionary<string, Uri> _uris = new();
    readonly bool _disposeHandler;

    GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        var handler = options.HttpHandler;
        _disposeHandler = handler is null || options.DisposeHttpHandler;
        handler ??= CreateHandler(options);
        Invoker = new HttpMessageInvoker(handler, _disposeHandler);
    }

    public Uri Address { get; }
    public GrpcChannelOptions Options { get; }
    internal HttpMessageInvoker Invoker { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) => ForAddress(new Uri(address), options);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"gRPC address '{address}' must start with http:// (h2c) or https:// (TLS).", nameof(address));
        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    static SocketsHttpHandler CreateHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        };
        if (options.SslOptions is { } ssl)
        {
            ssl.ApplicationProtocols ??= new List<SslApplicationProtocol> { SslApplicationProtocol.Http2 };
            handler.SslOptions = ssl;
        }
        return handler;
    }

    internal Uri GetUri(string path) => _uris.GetOrAdd(path, static (p, a) => new Uri(a, p), Address);

    public AsyncUnaryCall<TResponse> UnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        call.StartUnary(request);
        return new AsyncUnaryCall<TResponse>(call, call.ReadUnaryResponseAsync());
    }

    public AsyncServerStreamingCall<TResponse> ServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        call.StartUnary(request);
        return new AsyncServerStreamingCall<TResponse>(call, new ClientResponseStream<TRequest, TResponse>(call));
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        var writer = call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, writer, call.ReadUnaryResponseAsync());
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
    {
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        var writer = call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call, writer, new ClientResponseStream<TRequest, TResponse>(call));
    }

    public void Dispose() => Invoker.Dispose();
}
