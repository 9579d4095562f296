using System.Runtime.CompilerServices;
using Infra.Grpc.Client;

namespace Infra.Grpc;

/// <summary>A unary call in flight: await it for the response (RpcException on a non-OK status).
/// Dispose cancels it if still running.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    readonly IClientCall _call;

    internal AsyncUnaryCall(IClientCall call, Task<TResponse> response) { _call = call; ResponseAsync = response; }

    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    public void Dispose() => _call.Dispose();
}

/// <summary>A server-streaming call: read ResponseStream to the end, then GetStatus/GetTrailers.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    readonly IClientCall _call;

    internal AsyncServerStreamingCall(IClientCall call, IAsyncStreamReader<TResponse> stream) { _call = call; ResponseStream = stream; }

    public IAsyncStreamReader<TResponse> ResponseStream { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public void Dispose() => _call.Dispose();
}

/// <summary>A client-streaming call: write RequestStream, CompleteAsync it, then await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    readonly IClientCall _call;

    internal AsyncClientStreamingCall(IClientCall call, IClientStreamWriter<TRequest> writer, Task<TResponse> response)
    { _call = call; RequestStream = writer; ResponseAsync = response; }

    public IClientStreamWriter<TRequest> RequestStream { get; }
    public Task<TResponse> ResponseAsync { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
    public void Dispose() => _call.Dispose();
}

/// <summary>A bidirectional call: write RequestStream and read ResponseStream independently.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    readonly IClientCall _call;

    internal AsyncDuplexStreamingCall(IClientCall call, IClientStreamWriter<TRequest> writer, IAsyncStreamReader<TResponse> reader)
    { _call = call; RequestStream = writer; ResponseStream = reader; }

    public IClientStreamWriter<TRequest> RequestStream { get; }
    public IAsyncStreamReader<TResponse> ResponseStream { get; }
    public Task<Metadata> ResponseHeadersAsync => _call.ResponseHeadersAsync;
    public Status GetStatus() => _call.GetStatus();
    public Metadata GetTrailers() => _call.GetTrailers();
    public void Dispose() => _call.Dispose();
}
