using System.Net;
using System.Text.RegularExpressions;
using Infra.Controller.Api;
using Infra.Controller.Api.Services;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Infra.Ctl.Tests.Support;
using Infra.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>infractl enrollment against the real northbound services (the daemon's GrpcServer + AddInfraApi over SQLite).</summary>
public sealed class EnrollmentOverTheWireTests : IAsyncLifetime
{
    readonly TempDir _dir = new();
    WebApplication _app = null!;
    SqliteStore _store = null!;
    string _url = "";

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir.Path, "state.db")));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        GrpcServer.Add(builder, new IPEndPoint(IPAddress.Loopback, 0), null, new BearerTokenAuth(new HashSet<string>(), allowNoAuth: true));
        builder.Services.AddInfraApi(_store, new ApiOptions(Path.Combine(_dir.Path, "images")));
        _app = builder.Build();
        _app.MapInfraApi();
        GrpcServer.Map(_app);
        await _app.StartAsync();
        _url = $"http://127.0.0.1:{new Uri(_app.Urls.First()).Port}";
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    async Task<(int Code, string Out, string Err)> Run(string line)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var args = TestHosts.Args(line).Concat(["--controller", _url]).ToArray();
        var code = await CtlRunner.RunAsync(args, TestHosts.Create(o, e, home: _dir.Path) with { NewRequestId = () => "" });
        return (code, o.ToString(), e.ToString());
    }

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
