using Infra.Conventions.Tests.Support;

namespace Infra.Conventions.Tests;

/// <summary>
/// READMEs are where a reader starts (CONVENTIONS.md: folders that name subsystems, one header that
/// explains the model), so a folder with real code in it has one, and the types a README names exist.
/// </summary>
public class ReadmeTests
{
    public const int FilesThatNeedAReadme = 6;

    [Fact]
    public void EveryFolderWithMoreThanFiveSourceFiles_HasAReadme()
    {
        var byFolder = RepoTree.SourceFiles().Where(f => !f.StartsWith("tests/", StringComparison.Ordinal))
            .GroupBy(f => Path.GetDirectoryName(f)!.Replace('\\', '/'));
        var missing = byFolder.Where(g => g.Count() >= FilesThatNeedAReadme && !File.Exists(Path.Combine(RepoTree.Root, g.Key, "README.md")))
            .Select(g => $"{g.Key}/README.md ({g.Count()} .cs files)").Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            "these folders hold more than five source files but no README.md; write a short one that says what the " +
            "folder is for and its model (the types to start from, what is pure, what does I/O):\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void TypesNamedInReadmes_AreDeclaredInTheCode()
    {
        var index = CodeIndex.Repo;
        var allowed = AllowList.Read("readme-names.allow.txt");
        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var readmes = RepoTree.Files("README.md");
        Assert.True(readmes.Count > 10, $"only {readmes.Count} README.md files found under {RepoTree.Root}");
        foreach (var readme in readmes)
            foreach (var n in ReadmeNames.Extract(RepoTree.ReadText(readme), index.Namespaces))
            {
                if (index.Types.Contains(n.Name) || index.Identifiers.Contains(n.Name)) continue;
                var key = $"{readme} {n.Name}";
                if (allowed.Entries.ContainsKey(key)) { used.Add(key); continue; }
                missing.Add($"{readme}:{n.Line}: `{n.Span}`: no type or identifier {n.Name} in the code");
            }
        var stale = allowed.Entries.Keys.Where(k => !used.Contains(k)).Select(k => $"readme-names.allow.txt: '{k}' is no longer needed; remove it");
        var problems = missing.Concat(allowed.Problems).Concat(stale).ToList();
        Assert.True(problems.Count == 0,
            "READMEs name types that the code does not declare (renamed or deleted?); fix the README, or, for a name " +
            "from another system (etcd, D-Bus), add 'README-path Name: reason' to tests/Infra.Conventions.Tests/readme-names.allow.txt:\n  " +
            string.Join("\n  ", problems));
    }
}
