using Infra.Ctl.Config;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;

namespace Infra.Ctl.Tests.Config;

public sealed class ConfigResolutionTests : IDisposable
{
    readonly TempDir _home = new();

    public void Dispose() => _home.Dispose();

    void WriteFile(string text) => _home.Write(ConfigResolver.RelativePath, text);

    static Dictionary<string, string> Env(string? controller = null, string? token = null)
    {
        var d = new Dictionary<string, string>();
        if (controller is not null) d["INFRA_CONTROLLER"] = controller;
        if (token is not null) d["INFRA_TOKEN"] = token;
        return d;
    }

    CtlConfig Resolve(string? flag = null, string? tokenFlag = null, Dictionary<string, string>? env = null, string? caFlag = null) =>
        ConfigResolver.Resolve(new ConfigInputs(flag, tokenFlag, caFlag, env ?? Env(), _home.Path));

    [Fact]
    public void NothingSet_UsesTheDefault()
    {
        var c = Resolve();
        Assert.Equal("http://127.0.0.1:7443", c.Controller);
        Assert.Equal(ConfigSource.Default, c.ControllerSource);
        Assert.Null(c.Token);
        Assert.Null(c.ConfigFile);
    }

    [Fact]
    public void File_BeatsDefault()
    {
        WriteFile("# infractl\ncontroller: http://file:1\ntoken: \"file-token\"  # quoted\nca_file: ca.pem\n");
        var c = Resolve();
        Assert.Equal(("https://file:1".Replace("https", "http"), ConfigSource.File), (c.Controller, c.ControllerSource));
        Assert.Equal(("file-token", ConfigSource.File), (c.Token, c.TokenSource));
        Assert.Equal(Path.Combine(_home.Path, ".config/infra/ca.pem"), c.CaFile);
    }

    [Fact]
    public void Environment_BeatsFile()
    {
        WriteFile("controller: http://file:1\ntoken: file-token\n");
        var c = Resolve(env: Env("http://env:2", "env-token"));
        Assert.Equal(("http://env:2", ConfigSource.Environment), (c.Controller, c.ControllerSource));
        Assert.Equal(("env-token", ConfigSource.Environment), (c.Token, c.TokenSource));
    }

    [Fact]
    public void Flags_BeatEnvironmentAndFile()
    {
        WriteFile("controller: http://file:1\ntoken: file-token\n");
        var c = Resolve("http://flag:3", "flag-token", Env("http://env:2", "env-token"));
        Assert.Equal(("http://flag:3", ConfigSource.Flag), (c.Controller, c.ControllerSource));
        Assert.Equal(("flag-token", ConfigSource.Flag), (c.Token, c.TokenSource));
    }

    [Fact]
    public void EachSetting_ResolvesOnItsOwn()
    {
        WriteFile("token: file-token\n");
        var c = Resolve("http://flag:3");
        Assert.Equal("http://flag:3", c.Controller);
        Assert.Equal(("file-token", ConfigSource.File), (c.Token, c.TokenSource));
    }

    [Theory]
    [InlineData("127.0.0.1:7443", false, "http://127.0.0.1:7443")]
    [InlineData("ctl.example:7443", true, "https://ctl.example:7443")]
    [InlineData("https://ctl.example:7443/", false, "https://ctl.example:7443")]
    public void ControllerWithoutScheme_GetsOne(string given, bool tls, string expected) =>
        Assert.Equal(expected, ConfigResolver.NormalizeUrl(given, tls));

    [Fact]
    public void NonHttpController_IsAUsageError() =>
        Assert.Throws<UsageException>(() => ConfigResolver.NormalizeUrl("ftp://x", false));

    [Fact]
    public void UnknownKeys_AreAllReportedWithLineNumbers()
    {
        WriteFile("contoller: http://x\ntoken: t\ntokn: y\n");
        var e = Assert.Throws<UsageException>(() => Resolve());
        Assert.Contains("infractl.yaml:1: unknown key 'contoller'", e.Message);
        Assert.Contains("infractl.yaml:3: unknown key 'tokn'", e.Message);
    }

    [Fact]
    public async Task BadConfigFile_ExitsWithUsageCode()
    {
        WriteFile("controller = x\n");
        var err = new StringWriter();
        var code = await CtlRunner.RunAsync(["tenant", "list"], TestHosts.Create(error: err, home: _home.Path));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("infractl.yaml:1: expected 'key: value'", err.ToString());
    }
}
