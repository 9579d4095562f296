using System.Net;
using Infra.Controller.Api;
using Infra.Controller.Api.Services;
using Infra.Controller.Auth;
using Infra.Controller.Hosting;
using Infra.Controller.Core.Placement;
using Infra.Controller.Southbound;
using Infra.Controller.Southbound.Commands;
using Infra.Controller.Southbound.Hosting;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Domain.Auth;
using Grpc.Net.Client;
using Infra.Store;
using Infra.Store.Sqlite;
using Infra.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>
/// The northbound services on Kestrel h2c (127.0.0.1, port 0) over a SQLite store in a temp dir,
/// reached with the generated clients over real HTTP/2 (Grpc.Net.Client), served by the daemon's
/// gRPC composition (<see cref="GrpcServer"/>); optional bearer tokens use the daemon's auth interceptor.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    readonly WebApplication _app;
    public string Dir { get; }
    public IKeyValueStore Store { get; }
    public string Url { get; }
    public GrpcChannel Channel { get; }

    /// <summary>The app's services (its SessionRegistry, ClusterCaStore, ...).</summary>
    public IServiceProvider Services => _app.Services;

    ApiServer(WebApplication app, string dir, IKeyValueStore store, string url, string? token, string? caFile = null)
    {
        _app = app;
        Dir = dir;
        Store = store;
        Url = url;
        // Over TLS (a controller certificate of the test CA) the channel trusts that CA alone.
        Channel = caFile is not null ? TlsClients.Channel(url, caFile, bearer: token) : GrpcChannel.ForAddress(url, Options(token));
    }

    /// <param name="southbound">Also serve AgentSession and CommandRelay (agents connect here and API
    /// commands reach them); the failure detector then runs too, so tests must not rely on silent hosts.</param>
    public static async Task<ApiServer> StartAsync(IReadOnlySet<string>? tokens = null, string? clientToken = null, TimeSpan bookmark = default,
        bool southbound = false, uint exportWindow = 0, TimeSpan snapshotTimeout = default, TimeProvider? time = null, TimeSpan auditRetention = default,
        bool testPrincipals = false, Infra.TestHosts.TestPki? tls = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "infra-api-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var store = SqliteStore.Open(new SqliteStoreOptions(Path.Combine(dir, "state.db"), WatchPollInterval: TimeSpan.FromMilliseconds(50)));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var (tlsCert, tlsKey) = tls?.Issue("controller", ["127.0.0.1", "localhost"]) ?? default;
        var tlsCertificate = tls is null ? null : System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tlsCert, tlsKey);
        // The daemon's own gRPC server composition (listener, limits, auth interceptor, health, reflection).
        GrpcServer.Add(builder, new IPEndPoint(IPAddress.Loopback, 0), tlsCertificate, new BearerTokenAuth(tokens ?? new HashSet<string>(), allowNoAuth: tokens is null));
        // After authentication, before AddInfraApi's authorization: interceptors run in the order added.
        if (testPrincipals) builder.Services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<TestPrincipalInterceptor>());
        builder.Services.AddInfraApi(store, new ApiOptions(Path.Combine(dir, "images"), WatchBookmarkInterval: bookmark == default ? TimeSpan.FromSeconds(30) : bookmark,
            SnapshotTimeout: snapshotTimeout, ExportWindow: exportWindow, AuditRetention: auditRetention), time);
        if (southbound)
        {
            builder.Services.AddSingleton<IKeyValueStore>(store);
            builder.Services.AddSouthbound(new SouthboundOptions { ControllerId = "api-test", Placement = new PlacementPolicy(MemoryReserveMiB: 0) });
        }
        var app = builder.Build();
        app.MapInfraApi();
        if (southbound) app.MapAgentSession();
        GrpcServer.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        if (southbound) app.Services.GetRequiredService<ReplicaAddress>().Set(address);
        return new ApiServer(app, dir, store, address, clientToken, tls?.CaFile);
    }

    /// <summary>Clients calling as <paramref name="principal"/>; needs <c>StartAsync(testPrincipals: true)</c>.
    /// The one place to switch to real tenant credentials once they exist.</summary>
    public Caller As(Principal principal) =>
        new(Channel.Intercept(m => { m.Add(TestPrincipalInterceptor.Header, TestPrincipalInterceptor.Format(principal)); return m; }));

    /// <summary>Clients calling with <c>authorization: Bearer &lt;token&gt;</c> (an issued credential), through the daemon's authentication.</summary>
    public Caller WithToken(string token)
    {
        var channel = GrpcChannel.ForAddress(Url, Options(token));
        lock (_channels) _channels.Add(channel);
        return new(channel.CreateCallInvoker());
    }

    readonly List<GrpcChannel> _channels = [];

    static GrpcChannelOptions Options(string? token) => token is null ? new GrpcChannelOptions() : new GrpcChannelOptions
    {
        Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, m) => { m.Add("authorization", "Bearer " + token); return Task.CompletedTask; })),
        UnsafeUseInsecureChannelCallCredentials = true,
    };

    public Tenants.TenantsClient Tenants => new(Channel);
    public Networks.NetworksClient Networks => new(Channel);
    public Policies.PoliciesClient Policies => new(Channel);
    public Ports.PortsClient Ports => new(Channel);
    public Instances.InstancesClient Instances => new(Channel);
    public Volumes.VolumesClient Volumes => new(Channel);
    public Images.ImagesClient Images => new(Channel);
    public Hosts.HostsClient Hosts => new(Channel);
    public Changes.ChangesClient Changes => new(Channel);
    public KeyPairs.KeyPairsClient KeyPairs => new(Channel);
    public Infra.V1.Audit.AuditClient Audit => new(Channel);
    public Infra.V1.Credentials.CredentialsClient Credentials => new(Channel);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        foreach (var c in _channels) c.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
