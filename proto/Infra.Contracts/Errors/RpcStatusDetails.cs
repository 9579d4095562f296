using Grpc.Core;

namespace Infra.V1;

/// <summary>
/// Rich error details on the wire: a serialized google.rpc.Status in the `grpc-status-details-bin`
/// trailer, as every gRPC implementation reads it (grpcio's rpc_status, Go's status.FromError).
/// One place for the key, so servers and clients agree.
/// </summary>
public static class RpcStatusDetails
{
    public const string TrailerKey = "grpc-status-details-bin";

    /// <summary>An RpcException carrying <paramref name="details"/> (a serialized google.rpc.Status) in its trailers.</summary>
    public static RpcException WithDetails(Status status, byte[] details) =>
        new(status, new Metadata { { TrailerKey, details } });

    extension(RpcException e)
    {
        /// <summary>The serialized google.rpc.Status the server sent, or null.</summary>
        public byte[]? StatusDetails => e.Trailers.GetValueBytes(TrailerKey);
    }
}
