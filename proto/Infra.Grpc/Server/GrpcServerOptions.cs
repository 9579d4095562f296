namespace Infra.Grpc;

/// <summary>Server-wide limits. Defaults follow gRPC: 4 MB received, unlimited sent.</summary>
public sealed class GrpcServerOptions
{
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;
    public int MaxSendMessageSize { get; set; } = int.MaxValue;
    /// <summary>Send exception messages to clients in grpc-message (off: "Exception was thrown by handler.").</summary>
    public bool EnableDetailedErrors { get; set; }
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
