using System.Net;
using System.Security.Cryptography.X509Certificates;
using Infra.Controller;
using Infra.Controller.Api;
using Infra.Controller.Api.Services;
using Infra.Controller.Auth;
using Infra.Controller.Config;
using Infra.Controller.Hosting;
using Infra.Controller.Southbound;
using Infra.Controller.Southbound.Hosting;
using Infra.Systemd.Notify;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

// infra-controller: wires config, store, auth and the gRPC listener; the logic lives in Infra.Controller.Api.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Usage.Text);
    return 0;
}
var (flags, errors) = ConfigLoader.ParseArgs(args);
var (config, configErrors) = ConfigLoader.Load(flags);
errors.AddRange(configErrors);
if (errors.Count > 0 || config is null)
{
    Console.Error.WriteLine($"infra-controller: the configuration has {errors.Count} error(s):");
    foreach (var e in errors) Console.Error.WriteLine($"  - {e}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
// sd_notify READY=1 once started and STOPPING=1 on shutdown, journald's console format (no-ops outside systemd).
builder.Services.AddSystemd();
ControllerLogging.Configure(builder.Logging);
var certificate = config.UsesTls ? X509Certificate2.CreateFromPemFile(config.Tls.CertFile!, config.Tls.KeyFile) : null;
GrpcServer.Add(builder, config.ListenEndPoint, certificate, new BearerTokenAuth(ConfigLoader.LoadTokens(config), config.InsecureAllowNoAuth));

using var loggerFactory = LoggerFactory.Create(l => ControllerLogging.Configure(l));
var log = loggerFactory.CreateLogger("infra-controller");
StoreSpec.TryParse(config.Store, out var spec, out _);
Infra.Store.IKeyValueStore store;
try
{
    store = StoreFactory.Open(spec!, loggerFactory, TimeProvider.System, EtcdConfig.Security(config.Etcd ?? new EtcdClientConfig()).Security);
}
catch (Exception e) when (e is NotSupportedException or IOException or UnauthorizedAccessException or ArgumentException or Microsoft.Data.Sqlite.SqliteException)
{
    Console.Error.WriteLine($"infra-controller: cannot open the store {config.Store}: {e.Message}");
    return 2;
}

// etcd connects lazily: one read now, so "ready" means the store answers (and a wrong endpoint exits 2).
try
{
    using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(15));
    await ControllerHealth.ReadOneAsync(store, probe.Token);
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"infra-controller: the store {config.Store} does not answer: {e.Message}");
    await store.DisposeAsync();
    return 2;
}

builder.Services.AddSingleton(store);
// systemd's watchdog (WatchdogSec= in infra-controller.service): pets only while the host runs and the
// store answers. The health probe is registered first so that it stops after the pet at shutdown.
var watchdog = WatchdogSettings.FromEnvironment();
builder.Services.AddSingleton(sp => new ControllerHealth(store, watchdog, TimeProvider.System, sp.GetRequiredService<ILogger<ControllerHealth>>()));
builder.Services.AddHostedService(sp => sp.GetRequiredService<ControllerHealth>());
builder.Services.AddHostedService(sp => new WatchdogPet(sp.GetService<ISystemdNotifier>(), watchdog,
    () => sp.GetRequiredService<ControllerHealth>().IsHealthy, TimeProvider.System, sp.GetRequiredService<ILogger<WatchdogPet>>()));
builder.Services.AddInfraApi(store, new ApiOptions(config.ImageDirectory, config.Placement, config.WatchBookmarkInterval, config.SnapshotTimeout,
    AuditRetention: config.AuditRetention));
// Set once the listener is bound (the port may be 0): other replicas relay agent commands to it.
var replicaAddress = new Infra.Controller.Southbound.Commands.ReplicaAddress();
builder.Services.AddSingleton(replicaAddress);
// After AddInfraApi: the API's ClaimStore (root /infra/v1/claims/, the configured policy) is the one the evacuator uses.
builder.Services.AddSouthbound(new SouthboundOptions { ControllerId = config.NodeId, Placement = config.Placement });
var app = builder.Build();
// The cluster CA exists from the first start on (created once in the store, shared by every replica).
await app.Services.GetRequiredService<Infra.Controller.Api.Enrollment.ClusterCaStore>().GetAsync(CancellationToken.None);
app.MapInfraApi();
app.MapAgentSession();
GrpcServer.Map(app);

string[] served = ["", .. ApiRegistration.ServiceNames, Infra.V1.AgentSession.Descriptor.FullName, Infra.V1.CommandRelay.Descriptor.FullName];
app.Lifetime.ApplicationStopping.Register(() =>
{
    GrpcServer.SetHealth(app.Services, served, ServingStatus.NotServing);
    LogStopping(log);
});

// Not serving until the listener is bound and the store is open (health probes must not race startup).
GrpcServer.SetHealth(app.Services, served, ServingStatus.NotServing);
await app.StartAsync();
var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var url = ReadyUrl.From(bound, config.UsesTls);
replicaAddress.Set(Advertise.Effective(config.AdvertiseUrl, url));
GrpcServer.SetHealth(app.Services, served, ServingStatus.Serving);
if (config.ReadyFile is { } readyFile) ReadyUrl.Write(readyFile, url);
LogReady(log, url, config.Store, config.NodeId);
await app.WaitForShutdownAsync();
await store.DisposeAsync();
return 0;
