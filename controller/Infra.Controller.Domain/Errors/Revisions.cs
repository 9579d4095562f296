namespace Infra.Controller.Domain.Errors;

/// <summary>Optimistic concurrency: an update that names an expected revision applies only to that revision.</summary>
public static class Revisions
{
    /// <summary>Null when the update may proceed (no expectation, or the object is still at it), else the conflict.</summary>
    public static Aborted? Check(string kind, string id, long? expected, long actual) =>
        expected is { } want && want != actual ? new Aborted(kind, id, want, actual) : null;
}
