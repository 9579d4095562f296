using System.Text.RegularExpressions;
using Infra.Ctl.Tests.Support;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>infractl enrollment against the real northbound services (the daemon's GrpcServer + AddInfraApi over SQLite).</summary>
public sealed class EnrollmentOverTheWireTests : IAsyncLifetime
{
    readonly RealApi _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();
    public Task DisposeAsync() => _api.DisposeAsync();

    Task<(int Code, string Out, string Err)> Run(string line) => _api.RunAsync(line);

    [Fact]
    public async Task CreateListRevoke_TokensAndHosts()
    {
        var created = await Run("enrollment create-token --host-id host-a --ttl 2h --description rack-3");
        Assert.Equal(0, created.Code);
        var token = Regex.Match(created.Out, @"token \(shown once\): (jt_([0-9a-f]+)_\S+)");
        Assert.True(token.Success, created.Out);
        var id = token.Groups[2].Value;

        var listed = await Run("enrollment list-tokens");
        Assert.Equal(0, listed.Code);
        Assert.Contains(id, listed.Out);
        Assert.Contains("unused", listed.Out);
        Assert.DoesNotContain(token.Groups[1].Value, listed.Out);

        var revoked = await Run($"enrollment revoke-token {id}");
        Assert.Equal(0, revoked.Code);
        Assert.Contains("revoked", revoked.Out);

        var bad = await Run("enrollment create-token --host-id Not_A_Label");
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("host_id", bad.Err);

        var host = await Run("enrollment revoke-host host-a");
        Assert.Equal(0, host.Code);
        Assert.Contains("host host-a revoked", host.Out);
    }
}
