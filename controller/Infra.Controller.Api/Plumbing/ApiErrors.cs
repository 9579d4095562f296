using Infra.Controller.Domain.Errors;
using Grpc.Core;

namespace Infra.Controller.Api.Plumbing;

/// <summary>
/// The one place where domain outcomes become gRPC statuses: every handler throws what this returns,
/// so clients always get a google.rpc.Status (BadRequest, ResourceInfo, PreconditionFailure) in
/// grpc-status-details-bin next to a message that says what to do.
/// </summary>
public static class ApiErrors
{
    public static RpcException Of(DomainError error)
    {
        var s = StatusMapping.ToStatus(error);
        return Infra.V1.RpcStatusDetails.WithDetails(new Status((StatusCode)s.Code, s.Message), s.Details);
    }

    public static T Valid<T>(ValidationResult<T> result) where T : class =>
        result.IsValid ? result.Value : throw Of(new InvalidArgument(result.Violations));

    public static RpcException Invalid(string field, string description) =>
        Of(new InvalidArgument([new FieldViolation(field, description)]));

    public static RpcException NotFound(string kind, string id) => Of(new NotFound(kind, id));

    public static RpcException Precondition(string type, string subject, string description) =>
        Of(new FailedPrecondition(type, subject, description));

    public static RpcException Contended(string what) =>
        new(new Status(StatusCode.Aborted, $"{what} kept conflicting with concurrent changes; retry the request"));
}
