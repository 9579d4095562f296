namespace Infra.Grpc;

/// <summary>
/// A call that ended with a non-OK status. Thrown by clients when the server's status is not OK, and
/// thrown by service methods to end a call with a given status and trailers. The trailers include
/// grpc-status-details-bin when the peer sent rich error details (see <see cref="StatusDetails"/>).
/// </summary>
public class RpcException : Exception
{
    public RpcException(Status status) : this(status, new Metadata(), null) { }

    public RpcException(Status status, string? message) : this(status, new Metadata(), message) { }

    public RpcException(Status status, Metadata trailers, string? message = null, Exception? inner = null)
        : base(message ?? $"Status(StatusCode=\"{status.StatusCode}\", Detail=\"{status.Detail}\")", inner)
    {
        Status = status;
        Trailers = trailers;
    }

    public Status Status { get; }
    public StatusCode StatusCode => Status.StatusCode;
    public Metadata Trailers { get; }

    /// <summary>The raw grpc-status-details-bin trailer (a serialized google.rpc.Status), or null.</summary>
    public byte[]? StatusDetails => Trailers.GetBytes(Metadata.StatusDetailsKey);

    /// <summary>Builds an exception whose trailers carry a serialized google.rpc.Status as rich details.</summary>
    public static RpcException WithDetails(Status status, byte[] statusDetails, Metadata? trailers = null)
    {
        var t = trailers ?? new Metadata();
        t.Add(Metadata.StatusDetailsKey, statusDetails);
        return new RpcException(status, t);
    }
}
