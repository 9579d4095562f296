using Infra.Conventions.Tests.Support;

namespace Infra.Conventions.Tests;

/// <summary>
/// Small files, and log output only through [LoggerMessage]. These began in Infra.Ovsdb.Tests for two
/// libraries (400 lines); they now hold for every hand-written .cs file in the repository.
/// </summary>
public partial class StyleTests
{
    public const int MaxLines = 300;

    [Fact]
    public void SourceFiles_StayUnder300Lines_UnlessAllowListed()
    {
        var allowed = AllowList.Read("large-files.allow.txt");
        var tooLong = new List<string>();
        var stale = new List<string>(allowed.Problems);
        foreach (var f in RepoTree.SourceFiles())
        {
            var lines = RepoTree.ReadLines(f).Length;
            if (lines > MaxLines && !allowed.Entries.ContainsKey(f)) tooLong.Add($"{f}: {lines} lines");
        }
        foreach (var (path, _) in allowed.Entries)
        {
            if (!File.Exists(Path.Combine(RepoTree.Root, path))) stale.Add($"{path}: listed but does not exist");
            else if (RepoTree.ReadLines(path).Length <= MaxLines) stale.Add($"{path}: listed but is {RepoTree.ReadLines(path).Length} lines now; remove the entry");
        }
        Assert.True(tooLong.Count == 0 && stale.Count == 0,
            (tooLong.Count > 0 ? $"files over {MaxLines} lines; split each by concern into partial files (Foo.Rows.cs, Foo.Values.cs), " +
                "or add 'path: reason' to tests/Infra.Conventions.Tests/large-files.allow.txt:\n  " + string.Join("\n  ", tooLong) + "\n" : "") +
            (stale.Count > 0 ? "large-files.allow.txt needs fixing:\n  " + string.Join("\n  ", stale) : ""));
    }

    /// <summary>Library code logs through source-generated methods only; Console output belongs to the
    /// CLI (Infra.Ctl, whose output is the product) and to daemons' Program.cs before logging is up.</summary>
    [Fact]
    public void ProductCode_LogsOnlyThroughLoggerMessage()
    {
        var bad = new List<string>();
        foreach (var f in RepoTree.SourceFiles("agent").Concat(RepoTree.SourceFiles("controller")))
        {
            var consoleAllowed = f.EndsWith("/Program.cs", StringComparison.Ordinal) || f.StartsWith("controller/Infra.Ctl/", StringComparison.Ordinal);
            var lines = RepoTree.ReadLines(f);
            for (var i = 0; i < lines.Length; i++)
            {
                if (ExtensionLogCall().IsMatch(lines[i]))
                    bad.Add($"{f}:{i + 1}: ILogger extension call; declare a [LoggerMessage] method in {Path.GetFileNameWithoutExtension(f)}.Log.cs");
                if (!consoleAllowed && lines[i].Contains("Console.", StringComparison.Ordinal) && ConsoleWrite().IsMatch(lines[i]))
                    bad.Add($"{f}:{i + 1}: Console output in library code; log through [LoggerMessage] instead");
            }
        }
        Assert.True(bad.Count == 0, "log output outside [LoggerMessage]:\n  " + string.Join("\n  ", bad));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\.Log(Trace|Debug|Information|Warning|Error|Critical)\(|\.Log\(\s*LogLevel\.")]
    private static partial System.Text.RegularExpressions.Regex ExtensionLogCall();

    [System.Text.RegularExpressions.GeneratedRegex(@"Console\.(Error\.|Out\.)?Write(Line)?\(")]
    private static partial System.Text.RegularExpressions.Regex ConsoleWrite();
}
