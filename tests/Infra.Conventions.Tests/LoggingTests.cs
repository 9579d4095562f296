using Infra.Conventions.Tests.Support;

namespace Infra.Conventions.Tests;

/// <summary>
/// One logging idiom (CONVENTIONS.md): every [LoggerMessage] names its EventId, Level and Message, in
/// that order, on a partial void LogSomething method of the type Foo itself (no nested Log class, no
/// separate FooLog class), declared in a Foo.Log.cs file beside the Foo.cs that logs; and
/// event ids are unique within each process, so `journalctl` output maps back to one line of code.
/// </summary>
public partial class LoggingTests
{
    /// <summary>The shape all 114 declarations had when this test was written (the generator also
    /// accepts positional arguments or a missing id; those read differently and may repeat ids).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\[LoggerMessage\(EventId = \d+, Level = LogLevel\.(Trace|Debug|Information|Warning|Error|Critical), Message = "".*""\)\]$")]
    private static partial System.Text.RegularExpressions.Regex Attribute();

    [System.Text.RegularExpressions.GeneratedRegex(@"^((private|public|internal) )?(static )?partial void Log\w+\(")]
    private static partial System.Text.RegularExpressions.Regex Method();

    [Fact]
    public void EveryLoggerMessage_FollowsTheOneIdiom()
    {
        var sites = LoggerMessages.In("");
        Assert.True(sites.Count > 50, $"only {sites.Count} [LoggerMessage] attributes found; is the repository root right ({RepoTree.Root})?");
        var bad = new List<string>();
        foreach (var s in sites)
        {
            if (!Attribute().IsMatch(s.Attribute))
                bad.Add($"{s.Where}: write [LoggerMessage(EventId = N, Level = LogLevel.X, Message = \"...\")] on one line, not {s.Attribute}");
            if (!Method().IsMatch(s.Declaration))
                bad.Add($"{s.Where}: put it on a 'partial void LogSomething(...)' method, not on '{s.Declaration}'");
            if (!s.Path.EndsWith(".Log.cs", StringComparison.Ordinal))
                bad.Add($"{s.Where}: move the log methods into {Path.GetFileNameWithoutExtension(s.Path)}.Log.cs beside {Path.GetFileName(s.Path)}");
            else if (Path.GetFileName(s.Path)[..^".Log.cs".Length] is var type
                && !System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(Path.Combine(RepoTree.Root, s.Path)), $@"partial (class|record|struct|record struct) {type}\b")
                || System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(Path.Combine(RepoTree.Root, s.Path)), @"partial class \w*Log\b"))
                bad.Add($"{s.Where}: declare the log methods on partial {Path.GetFileName(s.Path)[..^".Log.cs".Length]} itself, not on a nested or separate *Log class");
        }
        Assert.True(bad.Count == 0, $"{bad.Count} [LoggerMessage] declaration(s) differ from the repo's idiom:\n  " + string.Join("\n  ", bad));
    }

    public static TheoryData<string> Processes => new()
    {
        "agent/Infra.Agent/Infra.Agent.csproj",
        "controller/Infra.Controller/Infra.Controller.csproj",
    };

    [Theory, MemberData(nameof(Processes))]
    public void EventIds_AreUniqueWithinAProcess(string exeProject)
    {
        var projects = LoggerMessages.ProcessProjects(exeProject);
        Assert.Contains(Path.GetDirectoryName(exeProject)!, projects);
        var sites = projects.SelectMany(p => LoggerMessages.In(p).Select(s => (Project: p, Site: s))).ToList();
        var missing = sites.Where(x => x.Site.EventId is null).Select(x => $"{x.Site.Where}: no EventId").ToList();
        var duplicates = sites.Where(x => x.Site.EventId is not null).GroupBy(x => x.Site.EventId!.Value).Where(g => g.Count() > 1)
            .OrderBy(g => g.Key).Select(g => $"{g.Key}: " + string.Join(", ", g.Select(x => x.Site.Where))).ToList();
        var blocks = sites.Where(x => x.Site.EventId is not null).GroupBy(x => x.Project).OrderBy(g => g.Min(x => x.Site.EventId))
            .Select(g => $"{g.Key}: {string.Join(" ", g.Select(x => x.Site.EventId!.Value / 100 * 100).Distinct().Order().Select(b => $"{b}-{b + 99}"))}");
        Assert.True(missing.Count == 0 && duplicates.Count == 0,
            $"{exeProject} runs {projects.Count} projects; their event ids must be unique. Renumber into a free id of the owning library's block.\n" +
            string.Join("\n", missing.Concat(duplicates).Select(d => "  " + d)) +
            "\nBlocks in use (hundreds):\n  " + string.Join("\n  ", blocks));
    }
}
