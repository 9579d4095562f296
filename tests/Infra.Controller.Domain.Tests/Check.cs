using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Tests;

/// <summary>Assertions over validation results that print every violation when they fail.</summary>
static class Expect
{
    public static T Valid<T>(ValidationResult<T> result) where T : class
    {
        Assert.True(result.IsValid, "expected valid, got: " + string.Join(" | ", result.Violations));
        return result.Value;
    }

    /// <summary>The result is invalid and has a violation on exactly this field whose description contains the fragment.</summary>
    public static void Violation<T>(ValidationResult<T> result, string field, string fragment = "") where T : class
    {
        Assert.False(result.IsValid, $"expected a violation on {field}, but the request was valid");
        Assert.True(result.Violations.Any(v => v.Field == field && v.Description.Contains(fragment, StringComparison.Ordinal)),
            $"expected {field} ~ \"{fragment}\", got: " + string.Join(" | ", result.Violations));
    }

    /// <summary>Exactly these fields are reported (each at least once), nothing else.</summary>
    public static void Fields<T>(ValidationResult<T> result, params string[] fields) where T : class
    {
        Assert.False(result.IsValid);
        Assert.Equal(fields.Order().ToArray(), result.Violations.Select(v => v.Field).Distinct().Order().ToArray());
    }
}

/// <summary>Ids that pass validation, for building valid requests.</summary>
static class Ids
{
    public const string Tenant = "ten-aaaaaaaaaaaaaaaa";
    public const string Tenant2 = "ten-bbbbbbbbbbbbbbbb";
    public const string Network = "net-aaaaaaaaaaaaaaaa";
    public const string Policy = "pol-aaaaaaaaaaaaaaaa";
    public const string Policy2 = "pol-bbbbbbbbbbbbbbbb";
    public const string Port = "prt-aaaaaaaaaaaaaaaa";
    public const string Port2 = "prt-bbbbbbbbbbbbbbbb";
    public const string Instance = "ins-aaaaaaaaaaaaaaaa";
    public const string Volume = "vol-aaaaaaaaaaaaaaaa";
    public const string Volume2 = "vol-bbbbbbbbbbbbbbbb";
    public const string Snapshot = "snp-aaaaaaaaaaaaaaaa";
    public const string Image = "img-aaaaaaaaaaaaaaaa";
    public const string Rule = "rul-aaaaaaaaaaaaaaaa";
}
