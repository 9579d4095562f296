namespace Infra.Ovsdb.Tests;

/// <summary>Conventions kept as tests: small files, and log messages only through [LoggerMessage].</summary>
public class StyleTests
{
    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Infra.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("Infra.sln not found above the test binaries.");
    }

    public static TheoryData<string> OwnedFolders => new() { "agent/Infra.Ovsdb", "agent/Infra.Agent.Network" };

    [Theory, MemberData(nameof(OwnedFolders))]
    public void SourceFiles_StayUnder400Lines_AndLogOnlyThroughLoggerMessage(string folder)
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")).ToArray();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var text = File.ReadAllText(f);
            Assert.True(text.Split('\n').Length < 400, $"{f} is too long; split it by concern into partial files.");
            Assert.DoesNotContain("_log.Log", text);
            Assert.DoesNotContain("Console.Write", text);
        }
    }
}
