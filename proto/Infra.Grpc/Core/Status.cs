namespace Infra.Grpc;

/// <summary>
/// The outcome of a call: a code, a human-readable detail (sent as grpc-message), and optionally the
/// serialized google.rpc.Status that travels in the grpc-status-details-bin trailer.
/// </summary>
public readonly record struct Status(StatusCode StatusCode, string Detail)
{
    public static readonly Status DefaultSuccess = new(StatusCode.OK, "");
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, "");

    public override string ToString() => $"Status(StatusCode=\"{StatusCode}\", Detail=\"{Detail}\")";
}
