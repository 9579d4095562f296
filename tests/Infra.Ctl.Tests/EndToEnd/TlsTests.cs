using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>--ca-file / ca_file: infractl trusts exactly the operator's CA over TLS (ALPN h2).</summary>
public sealed class TlsTests : IAsyncLifetime
{
    readonly TestCa _ca = new();
    readonly TempDir _home = new();
    InProcessController _server = null!;

    public async Task InitializeAsync() => _server = await InProcessController.StartAsync(_ca.Server);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ca.Dispose();
        _home.Dispose();
    }

    async Task<(int Code, string Err)> Run(params string[] args)
    {
        var err = new StringWriter();
        var code = await CtlRunner.RunAsync(args, TestHosts.Create(error: err, home: _home.Path));
        return (code, err.ToString());
    }

    [Fact]
    public async Task CaFileFromConfig_TrustsTheControllersCertificate()
    {
        _home.Write(".config/infra/ca.pem", _ca.CaPem);
        _home.Write(".config/infra/infractl.yaml", $"controller: {_server.Address}\nca_file: ca.pem\n");

        var (code, err) = await Run("network", "list");

        Assert.Equal((0, ""), (code, err));
        Assert.Single(_server.Script.Requests);
    }

    [Fact]
    public async Task OtherCa_IsRefused()
    {
        using var other = new TestCa("someone else");
        var pem = _home.Write("other.pem", other.CaPem);

        var (code, err) = await Run("network", "list", "--controller", _server.Address, "--ca-file", pem);

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.StartsWith($"error: cannot reach the controller at {_server.Address}:", err);
        Assert.Empty(_server.Script.Requests);
    }

    [Fact]
    public async Task UnreadableCaFile_IsAUsageError()
    {
        var (code, err) = await Run("network", "list", "--controller", _server.Address, "--ca-file", Path.Combine(_home.Path, "missing.pem"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: cannot read CA file", err);
    }
}
