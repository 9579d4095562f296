using System.Net;
using Infra.Controller.Api;
using Infra.Controller.Api.Services;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Infra.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Infra.Ctl.Tests.Support;

/// <summary>
/// The real northbound services (the daemon's GrpcServer, BearerTokenAuth and AddInfraApi over SQLite in
/// a temporary directory) on a free loopback port, and infractl run against them: what the over-the-wire
/// tests of the real API share. <paramref name="bootstrapToken"/> null: the loopback no-auth mode.
/// </summary>
public sealed class RealApi(string? bootstrapToken = null) : IAsyncLifetime
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
        var tokens = bootstrapToken is null ? new HashSet<string>() : new HashSet<string> { bootstrapToken };
        GrpcServer.Add(builder, new IPEndPoint(IPAddress.Loopback, 0), null, new BearerTokenAuth(tokens, allowNoAuth: bootstrapToken is null));
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

    /// <summary>Runs one infractl command line against the services, with <paramref name="token"/> when given.</summary>
    public async Task<(int Code, string Out, string Err)> RunAsync(string line, string? token = null)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var args = TestHosts.Args(line).Concat(["--controller", _url]).Concat(token is null ? [] : ["--token", token]).ToArray();
        var code = await CtlRunner.RunAsync(args, TestHosts.Create(o, e, home: _dir.Path) with { NewRequestId = () => "" });
        return (code, o.ToString(), e.ToString());
    }
}
