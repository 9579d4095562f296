using System.Net.Security;

namespace Infra.Grpc;

/// <summary>Client-side limits and transport. Defaults follow gRPC: 4 MB received, unlimited sent.</summary>
public sealed class GrpcChannelOptions
{
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;
    public int MaxSendMessageSize { get; set; } = int.MaxValue;
    /// <summary>A custom handler (e.g. a SocketsHttpHandler with client certificates); the channel
    /// builds a SocketsHttpHandler when null.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
    /// <summary>TLS settings for https addresses when the channel builds its own handler (ALPN h2 is added).</summary>
    public SslClientAuthenticationOptions? SslOptions { get; set; }
    /// <summary>Dispose HttpHandler with the channel (always true for a handler the channel built).</summary>
    public bool DisposeHttpHandler { get; set; } = true;
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
    /// <summary>Headers sent with every call, before each call's own headers (e.g. authorization).</summary>
    public Metadata? DefaultHeaders { get; set; }
    /// <summary>Where request frames and response read buffers are rented; tests count rents and returns.</summary>
    internal System.Buffers.ArrayPool<byte> BufferPool { get; set; } = System.Buffers.ArrayPool<byte>.Shared;
}
