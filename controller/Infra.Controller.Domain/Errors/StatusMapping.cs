using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace Infra.Controller.Domain.Errors;

/// <summary>A gRPC status ready for the wire: numeric code, grpc-message text and the
/// grpc-status-details-bin payload (a serialized google.rpc.Status).</summary>
public sealed record ErrorStatus(int Code, string Message, byte[] Details)
{
    public Google.Rpc.Status DecodeDetails() => Google.Rpc.Status.Parser.ParseFrom(Details);
}

/// <summary>The gRPC status codes this layer produces (numbers from the gRPC spec).</summary>
public static class StatusCodes
{
    public const int InvalidArgument = 3;
    public const int NotFound = 5;
    public const int AlreadyExists = 6;
    public const int PermissionDenied = 7;
    public const int FailedPrecondition = 9;
    public const int Aborted = 10;
    public const int Unauthenticated = 16;
}

/// <summary>
/// Pure mapping from domain errors to gRPC statuses with google.rpc details, so the edge needs no
/// knowledge of the error kinds and clients get machine-readable field paths and reasons.
/// </summary>
public static class StatusMapping
{
    public static ErrorStatus ToStatus(IReadOnlyList<FieldViolation> violations) =>
        ToStatus(new InvalidArgument([.. violations]));

    public static ErrorStatus ToStatus(DomainError error)
    {
        var (code, detail) = error switch
        {
            InvalidArgument e => (StatusCodes.InvalidArgument, (IMessage)BadRequest(e)),
            NotFound e => (StatusCodes.NotFound, Resource(e.Kind, e.Id, "not found")),
            AlreadyExists e => (StatusCodes.AlreadyExists, Resource(e.Kind, e.Name, e.ExistingId is null ? "already exists" : $"already exists as {e.ExistingId}")),
            FailedPrecondition e => (StatusCodes.FailedPrecondition, Precondition(e)),
            Aborted e => (StatusCodes.Aborted, Resource(e.Kind, e.Id, $"at revision {e.ActualRevision}, expected {e.ExpectedRevision}")),
            PermissionDenied e => (StatusCodes.PermissionDenied, Info(e.Reason, ("method", e.Method), ("principal", e.Principal))),
            Unauthenticated e => (StatusCodes.Unauthenticated, Info("UNAUTHENTICATED", ("method", e.Method))),
            _ => throw new ArgumentOutOfRangeException(nameof(error), error.GetType().Name, "unmapped domain error"),
        };
        var status = new Google.Rpc.Status { Code = code, Message = error.Message };
        status.Details.Add(Any.Pack(detail));
        return new ErrorStatus(code, error.Message, status.ToByteArray());
    }

    static BadRequest BadRequest(InvalidArgument e)
    {
        var bad = new BadRequest();
        foreach (var v in e.Violations)
            bad.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description });
        return bad;
    }

    static ResourceInfo Resource(string kind, string name, string description) =>
        new() { ResourceType = $"infra.v1.{kind}", ResourceName = name, Description = description };

    static ErrorInfo Info(string reason, params (string Key, string Value)[] metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = "infra.v1" };
        foreach (var (k, v) in metadata) info.Metadata[k] = v;
        return info;
    }

    static PreconditionFailure Precondition(FailedPrecondition e)
    {
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = e.Type, Subject = e.Subject, Description = e.Description });
        return failure;
    }
}
