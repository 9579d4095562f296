using System.Text.RegularExpressions;

namespace Infra.Conventions.Tests.Support;

/// <summary>One backticked name in a README that reads like a C# type: the span as written and the
/// segment that has to exist (namespace prefix, generic arguments and member suffix stripped).</summary>
public sealed record ReadmeName(int Line, string Span, string Name);

/// <summary>
/// Pulls type-like names out of Markdown. Only inline code spans count (fenced blocks are commands and
/// sample code); a span counts when it is nothing but a dotted PascalCase name, optionally generic
/// (`Channel&lt;T&gt;`, `Infra.Store.IKeyValueStore`, `VmHost.Attach`). After a known namespace prefix is
/// removed, the first segment is the name to check; the rest are members or nested types. Words that are
/// ambiguous with prose or other vocabularies are skipped: a single hump (`Supervisor`), ALL CAPS
/// (`ERROR`, `CIDATA`) and methods (`...Async`, `Foo()`).
/// </summary>
public static partial class ReadmeNames
{
    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)*(<[^<>]*>)?$")]
    private static partial Regex DottedPascal();

    [GeneratedRegex(@"^(?=.*[a-z])[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")]
    private static partial Regex TwoHumps();

    /// <summary>Inline code spans with their 1-based line, outside ``` / ~~~ fences.</summary>
    public static IEnumerable<(int Line, string Span)> CodeSpans(string markdown)
    {
        var lines = markdown.Split('\n');
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].TrimStart();
            if (t.StartsWith("```", StringComparison.Ordinal) || t.StartsWith("~~~", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            var parts = lines[i].Split('`');
            for (var p = 1; p < parts.Length - 1; p += 2) // odd pieces sit between a pair of backticks
                yield return (i + 1, parts[p]);
        }
    }

    /// <summary>The type-like names in <paramref name="markdown"/>; <paramref name="namespaces"/> holds every
    /// declared namespace and its prefixes (Infra, Infra.Agent, Infra.Agent.Network, ...).</summary>
    public static IEnumerable<ReadmeName> Extract(string markdown, IReadOnlySet<string> namespaces)
    {
        foreach (var (line, span) in CodeSpans(markdown))
            if (NameToCheck(span, namespaces) is { } name) yield return new ReadmeName(line, span, name);
    }

    /// <summary>The segment of <paramref name="span"/> that must be a type, or null when the span is not
    /// type-like (prose, a command, a namespace alone, a method, an enum-like ALL CAPS word).</summary>
    public static string? NameToCheck(string span, IReadOnlySet<string> namespaces)
    {
        if (!DottedPascal().IsMatch(span)) return null;
        var lt = span.IndexOf('<');
        var parts = (lt < 0 ? span : span[..lt]).Split('.');
        var skip = parts.Length;
        while (skip > 0 && !namespaces.Contains(string.Join('.', parts[..skip]))) skip--;
        if (skip == parts.Length) return null; // a namespace or project name
        var name = parts[skip];
        if (!TwoHumps().IsMatch(name) || name.EndsWith("Async", StringComparison.Ordinal)) return null;
        return name;
    }
}
