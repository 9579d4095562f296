using System.CommandLine;

namespace Infra.Ctl.Cli;

/// <summary>Factories for the flags many commands share, so they are spelled and described the same way.</summary>
public static class Opt
{
    public static Argument<string> Id(string what) => new("id") { Description = $"The {what}'s id" };

    public static Option<string> Tenant(bool required) => new("--tenant", "-t") { Description = "Tenant id", Required = required };

    public static Option<string> Name(bool required, string what) => new("--name", "-n") { Description = $"The {what}'s name", Required = required };

    public static Option<string[]> Labels() => new("--label", "-l") { Description = "Label key=value (repeatable)", AllowMultipleArgumentsPerToken = false };

    public static Option<int> PageSize() => new("--page-size") { Description = "At most this many results (server default 100)" };

    public static Option<string> PageToken() => new("--page-token") { Description = "Continue after a previous page" };

    public static Option<long> ExpectedRevision() => new("--expected-revision") { Description = "Fail with a conflict unless the object is still at this revision" };

    public static Option<string> Choice(string name, string description, params string[] values)
    {
        var o = new Option<string>(name) { Description = description };
        o.AcceptOnlyFromAmong(values);
        return o;
    }

    public static V1.PageRequest? Page(ParseResult p, Option<int> size, Option<string> token)
    {
        var s = p.GetValue(size);
        var t = p.GetValue(token);
        return s == 0 && string.IsNullOrEmpty(t) ? null : new V1.PageRequest { PageSize = s, PageToken = t ?? "" };
    }

    /// <summary>Tables tell people when there is more; JSON carries the token in the response itself.</summary>
    public static void MorePages(V1.PageResponse? page, TextWriter w)
    {
        if (page is { NextPageToken.Length: > 0 } pr) w.WriteLine($"more results: add --page-token {pr.NextPageToken}");
    }
}
