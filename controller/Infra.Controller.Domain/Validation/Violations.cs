using System.Collections.Immutable;
using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Collects every violation of one request. Validators call the field helpers (which return the
/// parsed value, or a placeholder when invalid) and finish with <see cref="Finish{T}"/>, which only
/// builds the command when nothing was wrong, so placeholders never escape.
/// </summary>
public sealed partial class Violations
{
    readonly List<FieldViolation> items = [];

    public bool Any => items.Count > 0;
    public int Count => items.Count;

    public void Add(string field, string description) => items.Add(new FieldViolation(field, description));

    /// <summary>Adds the violation when the check returned an error text.</summary>
    public bool Check(string field, string? error)
    {
        if (error is null) return true;
        Add(field, error);
        return false;
    }

    public ImmutableArray<FieldViolation> ToImmutable() => [.. items];

    public ValidationResult<T> Finish<T>(Func<T> build) where T : class =>
        items.Count == 0 ? ValidationResult<T>.Ok(build()) : ValidationResult<T>.Invalid(items);

    /// <summary>Joins a parent path and a child field: ("subnets[1]", "cidr") -> "subnets[1].cidr".</summary>
    public static string Path(string parent, string child) => parent.Length == 0 ? child : $"{parent}.{child}";

    public static string Index(string field, int index) => $"{field}[{index}]";
}
