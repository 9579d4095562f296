using Infra.Ctl.Tests.Support;

namespace Infra.Ctl.Tests.Cli;

public sealed class CompletionTests
{
    static async Task<(int Code, string Out)> Run(params string[] args)
    {
        var output = new StringWriter();
        var code = await CtlRunner.RunAsync(args, TestHosts.Create(output));
        return (code, output.ToString());
    }

    static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [InlineData("bash", "complete -o default -F _infractl_complete infractl")]
    [InlineData("zsh", "compdef _infractl infractl")]
    public async Task CompletionScript_UsesTheSuggestDirective(string shell, string registration)
    {
        var (code, text) = await Run("completion", shell);
        Assert.Equal(0, code);
        Assert.Contains("infractl \"[suggest:${#line}]\" \"$line\"", text);
        Assert.Contains(registration, text);
    }

    [Fact]
    public async Task UnknownShell_IsAUsageError() => Assert.Equal(2, (await Run("completion", "fish")).Code);

    [Theory]
    [InlineData("netw", "network")]
    [InlineData("network cr", "create")]
    [InlineData("instance st", "start|stop|list")] // prefix matches first, then substring matches
    [InlineData("volume snapshot ", "create|delete|get|list")]
    [InlineData("watch --kind ins", "instance")]
    [InlineData("tenant list --output j", "json")]
    public async Task SuggestDirective_CompletesWhatTheScriptSends(string line, string expected)
    {
        // Exactly what the bash script runs: the words after "infractl", cursor at the end.
        var (code, text) = await Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, code);
        var got = Lines(text).Where(l => !l.StartsWith('-') && !l.StartsWith('/')).ToArray();
        Assert.Equal(expected.Split('|'), got);
    }
}
