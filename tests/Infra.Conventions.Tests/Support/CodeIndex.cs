using System.Text.RegularExpressions;

namespace Infra.Conventions.Tests.Support;

/// <summary>
/// What the code declares, read from text: C# type and namespace declarations, the types Grpc.Tools
/// generates from proto messages, enums and services (FooClient, FooBase), and every identifier that
/// occurs outside comments in .cs, .proto, .csproj and .props files (members, framework and package
/// types the code uses, wire names in strings). Built once per test run.
/// </summary>
public sealed partial class CodeIndex
{
    public required IReadOnlySet<string> Types { get; init; }
    public required IReadOnlySet<string> Namespaces { get; init; }
    public required IReadOnlySet<string> Identifiers { get; init; }

    public static CodeIndex Repo => Built.Value;
    static readonly Lazy<CodeIndex> Built = new(() => Build(RepoTree.Root));

    [GeneratedRegex(@"\bdelegate\s+[\w<>\[\]?,. ]+?\s+([A-Za-z_]\w*)\s*[<(]")]
    private static partial Regex CsDelegate();

    [GeneratedRegex(@"\b(message|enum|service)\s+(\w+)")]
    private static partial Regex ProtoType();

    static readonly HashSet<string> TypeKeywords = ["class", "record", "struct", "interface", "enum"];
    static readonly HashSet<string> TypeModifiers = ["class", "struct"]; // record class / record struct

    public static CodeIndex Build(string root)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        var namespaces = new HashSet<string>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in RepoTree.SourceFiles())
        {
            var text = RepoTree.ReadText(f);
            var tokens = CodeScanner.Identifiers(text);
            string? previous = null;
            for (var i = 0; i < tokens.Count; i++)
            {
                var t = tokens[i];
                identifiers.Add(t.Text);
                if (t.InString) { previous = null; continue; }
                if (previous is not null && TypeKeywords.Contains(previous) && !(previous == "record" && TypeModifiers.Contains(t.Text)))
                    types.Add(t.Text);
                if (previous == "namespace")
                {
                    // namespace A.B.C: the scanner splits at dots; rebuild the dotted name from the text.
                    var at = text.IndexOf("namespace " + t.Text, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        var end = at + 10;
                        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '.')) end++;
                        var parts = text[(at + 10)..end].Split('.');
                        for (var k = 1; k <= parts.Length; k++) namespaces.Add(string.Join('.', parts[..k]));
                    }
                }
                previous = t.Text;
            }
            if (text.Contains("delegate ", StringComparison.Ordinal))
                foreach (Match m in CsDelegate().Matches(text)) types.Add(m.Groups[1].Value);
        }
        foreach (var f in RepoTree.Files(".proto"))
        {
            var code = WithoutComments(RepoTree.ReadText(f));
            foreach (Match m in ProtoType().Matches(code))
            {
                types.Add(m.Groups[2].Value);
                if (m.Groups[1].Value == "service") { types.Add(m.Groups[2].Value + "Client"); types.Add(m.Groups[2].Value + "Base"); }
            }
            foreach (var t in CodeScanner.Identifiers(code)) identifiers.Add(t.Text);
        }
        foreach (var f in RepoTree.Files(".csproj").Concat(RepoTree.Files(".props")))
            foreach (var t in CodeScanner.Identifiers(RepoTree.ReadText(f))) identifiers.Add(t.Text);
        return new CodeIndex { Types = types, Namespaces = namespaces, Identifiers = identifiers };
    }

    /// <summary>Drops // and /* */ comments (not "//" inside strings), so a name that survives only in a
    /// comment counts as gone.</summary>
    public static string WithoutComments(string code)
    {
        var kept = new System.Text.StringBuilder(code.Length);
        CodeScanner.Identifiers(code, kept);
        return kept.ToString();
    }
}
