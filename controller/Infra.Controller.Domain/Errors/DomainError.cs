using System.Collections.Immutable;

namespace Infra.Controller.Domain.Errors;

/// <summary>
/// Typed failures of domain operations. Each maps to one gRPC status code (see
/// <see cref="StatusMapping"/>); the message must tell the caller what to do next.
/// </summary>
public abstract record DomainError
{
    public abstract string Message { get; }
}

/// <summary>The request is malformed; every violation is listed.</summary>
public sealed record InvalidArgument(ImmutableArray<FieldViolation> Violations) : DomainError
{
    public override string Message => Violations.Length == 1
        ? $"invalid request: {Violations[0]}"
        : $"invalid request: {Violations.Length} fields are invalid, first {Violations[0]}";
}

/// <summary>An object the request names does not exist (or is not visible to the caller).</summary>
public sealed record NotFound(string Kind, string Id) : DomainError
{
    public override string Message => $"{Kind} {Id} not found; check the id (List{Kind}s shows what exists)";
}

/// <summary>An object with this name (or request id) already exists.</summary>
public sealed record AlreadyExists(string Kind, string Name, string? ExistingId = null) : DomainError
{
    public override string Message => ExistingId is null
        ? $"a {Kind} named \"{Name}\" already exists; choose another name"
        : $"a {Kind} named \"{Name}\" already exists ({ExistingId}); choose another name or use the existing one";
}

/// <summary>
/// The system is not in a state that allows the operation; Type is a stable machine-readable
/// reason ("INSTANCE_STATE", "NO_CAPACITY", "IN_USE"), Subject names the object ("instances/ins-…").
/// </summary>
public sealed record FailedPrecondition(string Type, string Subject, string Description) : DomainError
{
    public override string Message => Description;
}

/// <summary>An optimistic-concurrency conflict: the object moved past the expected revision.</summary>
public sealed record Aborted(string Kind, string Id, long ExpectedRevision, long ActualRevision) : DomainError
{
    public override string Message =>
        $"{Kind} {Id} changed (revision {ActualRevision}, expected {ExpectedRevision}); read it again and retry with the new revision";
}

/// <summary>
/// The caller is known but its principal may not make this call: Reason is a stable machine-readable
/// word ("ADMIN_ONLY", "READ_ONLY", "HOST_ONLY", "NO_RULE", ...), Method the call's full name.
/// </summary>
public sealed record PermissionDenied(string Reason, string Principal, string Method, string Description) : DomainError
{
    public override string Message => $"{Principal} may not call {Method}: {Description}";
}

/// <summary>The call carries no principal where one is needed (credentials missing or not checked).</summary>
public sealed record Unauthenticated(string Method, string Description) : DomainError
{
    public override string Message => $"{Method} needs credentials: {Description}";
}
