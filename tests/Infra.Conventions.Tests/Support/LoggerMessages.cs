using System.Xml.Linq;

namespace Infra.Conventions.Tests.Support;

/// <summary>One [LoggerMessage] attribute as written: where it is, its text and the declaration it sits on.</summary>
public sealed record LoggerMessageSite(string Path, int Line, string Attribute, string Declaration, int? EventId)
{
    public string Where => $"{Path}:{Line}";
}

/// <summary>Finds [LoggerMessage] attributes by reading source text, and which projects make up a process
/// (an executable project and everything it references, transitively, from the .csproj files).</summary>
public static partial class LoggerMessages
{
    public static IReadOnlyList<LoggerMessageSite> In(string relativeFolder) =>
        RepoTree.SourceFiles(relativeFolder).SelectMany(f => Parse(f, RepoTree.ReadLines(f))).ToList();

    public static IEnumerable<LoggerMessageSite> Parse(string path, string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("[LoggerMessage", StringComparison.Ordinal)) continue;
            var declaration = "";
            for (var j = i + 1; j < lines.Length && declaration.Length == 0; j++) declaration = lines[j].Trim();
            var id = EventIdArgument().Match(line);
            yield return new LoggerMessageSite(path, i + 1, line, declaration, id.Success ? int.Parse(id.Groups[1].Value) : null);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"EventId\s*=\s*(\d+)")]
    private static partial System.Text.RegularExpressions.Regex EventIdArgument();

    /// <summary>The folders (relative) of <paramref name="exeProject"/> and every project it references, transitively.</summary>
    public static IReadOnlyList<string> ProcessProjects(string exeProject)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var todo = new Stack<string>([Path.GetFullPath(Path.Combine(RepoTree.Root, exeProject))]);
        while (todo.Count > 0)
        {
            var csproj = todo.Pop();
            if (!seen.Add(RepoTree.Relative(csproj))) continue;
            var refs = XDocument.Load(csproj).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include"));
            foreach (var r in refs)
                if (r is not null) todo.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, r.Replace('\\', '/'))));
        }
        return seen.Select(p => Path.GetDirectoryName(p)!.Replace('\\', '/')).ToList();
    }
}
