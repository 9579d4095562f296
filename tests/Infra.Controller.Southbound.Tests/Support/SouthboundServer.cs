using Infra.Store.Tests.Support;
using System.Net;
using Infra.Controller.Core.Placement;
using Infra.Controller.Southbound.Commands;
using Infra.Controller.Southbound.Failure;
using Infra.Controller.Southbound.Session;
using Grpc.Core;
using Grpc.Net.Client;
using Infra.Store;
using Infra.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Controller.Southbound.Tests.Support;

/// <summary>
/// The real thing on loopback: Grpc.AspNetCore on Kestrel (h2c, free port) serving AgentSessionService
/// over a SQLite store in a temp dir. Times in store objects come from a fake clock the test drives.
/// </summary>
public sealed class SouthboundServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly string _dir;

    SouthboundServer(WebApplication app, string dir, SqliteStore store, FakeTimeProvider time, SouthboundOptions options, int port)
    {
        _app = app;
        _dir = dir;
        Store = store;
        Time = time;
        Options = options;
        Address = $"http://127.0.0.1:{port}";
        Claims = new ClaimStore(store, options.Placement);
        Detector = new HostFailureDetector(store, new Evacuator(store, Claims, NullLogger<Evacuator>.Instance), options, time, NullLogger<HostFailureDetector>.Instance);
    }

    public SqliteStore Store { get; }
    public FakeTimeProvider Time { get; }
    public SouthboundOptions Options { get; }
    public string Address { get; }
    public ClaimStore Claims { get; }
    public HostFailureDetector Detector { get; }
    public SessionRegistry Sessions => _app.Services.GetRequiredService<SessionRegistry>();
    public CommandRouter Commands => _app.Services.GetRequiredService<CommandRouter>();

    /// <param name="logs">Where the server's logs go (none by default).</param>
    public static async Task<SouthboundServer> StartAsync(SouthboundOptions? options = null, ILoggerProvider? logs = null)
    {
        options ??= new SouthboundOptions { ControllerId = "ctl-test", HeartbeatInterval = TimeSpan.FromSeconds(2), SuspectAfterMissed = 2, DownAfterMissed = 4,
            Placement = new PlacementPolicy(MemoryReserveMiB: 0) };
        var dir = Directory.CreateTempSubdirectory("infra-southbound-").FullName;
        var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir, "state.db")));
        var time = new FakeTimeProvider();
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            if (logs is not null) builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton<IKeyValueStore>(store);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<ChangeFeed>();
            builder.Services.AddSingleton<Infra.Controller.Southbound.Cluster.SnapshotCache>();
            builder.Services.AddSingleton<SessionRegistry>();
            // Connect asks it whether the host is revoked; its watch (a hosted service in AddSouthbound) is not needed here.
            builder.Services.AddSingleton<RevocationWatch>();
            builder.Services.AddSingleton<AgentSessionService>();
            builder.Services.AddSingleton<ReplicaAddress>();
            builder.Services.AddSingleton<SessionDirectory>();
            builder.Services.AddSingleton<CommandRouter>();
            builder.Services.AddSingleton<CommandRelayService>();
            var app = builder.Build();
            app.MapGrpcService<AgentSessionService>();
            app.MapGrpcService<CommandRelayService>();
            await app.StartAsync();
            var port = new Uri(app.Urls.First()).Port;
            app.Services.GetRequiredService<ReplicaAddress>().Set($"http://127.0.0.1:{port}");
            return new SouthboundServer(app, dir, store, time, options, port);
        }
        catch
        {
            await store.DisposeAsync();
            Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
