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

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum|delegate\s+[\w<>\[\]?,. ]+?)\s+(?:class\s+|struct\s+)?([A-Za-z_]\w*)")]
    private static partial Regex CsType();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex CsNamespace();

    [GeneratedRegex(@"\b(message|enum|service)\s+(\w+)")]
    private static partial Regex ProtoType();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    public static CodeIndex Build(string root)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        var namespaces = new HashSet<string>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in RepoTree.SourceFiles())
        {
            var code = WithoutComments(RepoTree.ReadText(f));
            foreach (Match m in CsType().Matches(code)) types.Add(m.Groups[1].Value);
            foreach (Match m in CsNamespace().Matches(code))
            {
                var parts = m.Groups[1].Value.Split('.');
                for (var i = 1; i <= parts.Length; i++) namespaces.Add(string.Join('.', parts[..i]));
            }
            foreach (Match m in Identifier().Matches(code)) identifiers.Add(m.Value);
        }
        foreach (var f in RepoTree.Files(".proto"))
        {
            var code = WithoutComments(RepoTree.ReadText(f));
            foreach (Match m in ProtoType().Matches(code))
            {
                types.Add(m.Groups[2].Value);
                if (m.Groups[1].Value == "service") { types.Add(m.Groups[2].Value + "Client"); types.Add(m.Groups[2].Value + "Base"); }
            }
            foreach (Match m in Identifier().Matches(code)) identifiers.Add(m.Value);
        }
        foreach (var f in RepoTree.Files(".csproj").Concat(RepoTree.Files(".props")))
            foreach (Match m in Identifier().Matches(RepoTree.ReadText(f))) identifiers.Add(m.Value);
        return new CodeIndex { Types = types, Namespaces = namespaces, Identifiers = identifiers };
    }

    /// <summary>Drops // and /* */ comments, so a name that survives only in a comment counts as gone.
    /// Approximate about // inside strings (a URL in a string loses its tail), which only hides identifiers.</summary>
    public static string WithoutComments(string code)
    {
        var noBlocks = BlockComment().Replace(code, " ");
        return LineComment().Replace(noBlocks, "");
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();
}
