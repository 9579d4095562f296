using System.Collections.Immutable;

namespace Infra.Controller.Domain.Errors;

/// <summary>
/// The outcome of parsing a request: a command, or every field violation found (never just the
/// first). Expected outcomes are values; the gRPC edge turns violations into INVALID_ARGUMENT.
/// </summary>
public sealed class ValidationResult<T> where T : class
{
    readonly T? value;

    ValidationResult(T? value, ImmutableArray<FieldViolation> violations)
    {
        this.value = value;
        Violations = violations;
    }

    public static ValidationResult<T> Ok(T value) => new(value, ImmutableArray<FieldViolation>.Empty);

    public static ValidationResult<T> Invalid(IEnumerable<FieldViolation> violations)
    {
        var list = violations.ToImmutableArray();
        if (list.IsEmpty) throw new ArgumentException("an invalid result needs at least one violation", nameof(violations));
        return new(null, list);
    }

    public bool IsValid => value is not null;

    public ImmutableArray<FieldViolation> Violations { get; }

    /// <summary>The command; throws when invalid (check <see cref="IsValid"/> or use <see cref="Match{R}"/>).</summary>
    public T Value => value ?? throw new InvalidOperationException(
        "the request is invalid: " + string.Join("; ", Violations));

    public R Match<R>(Func<T, R> ok, Func<ImmutableArray<FieldViolation>, R> invalid) =>
        value is not null ? ok(value) : invalid(Violations);
}
