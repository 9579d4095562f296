using System.Runtime.CompilerServices;
using Infra.Flows.Model;

namespace Infra.Flows.Tests.Golden;

/// <summary>
/// testdata/&lt;scenario&gt;/input.json compiles to exactly expected.flows. A pipeline change shows
/// up as a readable diff; run with UPDATE_GOLDEN=1 to rewrite the expected files in the source tree.
/// </summary>
public sealed class GoldenFileTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(TestData.SourceDir()).OrderBy(d => d, StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Compile_Scenario_MatchesExpectedFlows(string scenario)
    {
        var dir = Path.Combine(TestData.SourceDir(), scenario);
        var state = HostStateJson.Parse(File.ReadAllText(Path.Combine(dir, "input.json")));
        var actual = FlowCompiler.Compile(state).Render();
        var expectedPath = Path.Combine(dir, "expected.flows");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            File.WriteAllText(expectedPath, actual);
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests once with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    [Fact]
    public void Scenarios_CoverAtLeastSixCases() => Assert.True(Scenarios().Count >= 6);
}

internal static class TestData
{
    /// <summary>The testdata folder in the source tree (not bin/), so UPDATE_GOLDEN edits the checked-in files.</summary>
    public static string SourceDir([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!, "testdata");

    public static HostState Load(string scenario) =>
        HostStateJson.Parse(File.ReadAllText(Path.Combine(SourceDir(), scenario, "input.json")));
}
