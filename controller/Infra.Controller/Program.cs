using System.Net;
using System.Security.Cryptography.X509Certificates;
using Infra.Controller;
using Infra.Controller.Api;
using Infra.Controller.Api.Services;
using Infra.Controller.Auth;
using Infra.Controller.Config;
using Infra.Controller.Hosting;
using Infra.Grpc;
using Infra.Grpc.Health;
using Infra.Grpc.Reflection;
using ServingStatus = Infra.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using Infra.Systemd.Notify;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

using var notify = SdNotify.FromEnvironment(unsetEnvironment: true);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddConsole(o => o.FormatterName = JournaldFormatter.FormatterName).AddConsoleFormatter<JournaldFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(config.ListenEndPoint, l =>
    {
        l.Protocols = HttpProtocols.Http2;
        if (config.UsesTls) l.UseHttps(X509Certificate2.CreateFromPemFile(config.Tls.CertFile!, config.Tls.KeyFile));
    });
});

var loggerFactory = LoggerFactory.Create(l => l.AddConsole(o => o.FormatterName = JournaldFormatter.FormatterName)
    .AddConsoleFormatter<JournaldFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>());
var log = loggerFactory.CreateLogger("infra-controller");
StoreSpec.TryParse(config.Store, out var spec, out _);
Infra.Store.IKeyValueStore store;
try
{
    store = StoreFactory.Open(spec!, loggerFactory, TimeProvider.System);
}
catch (Exception e) when (e is NotSupportedException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
{
    Console.Error.WriteLine($"infra-controller: cannot open the store {config.Store}: {e.Message}");
    return 2;
}

builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 << 20);
builder.Services.AddGrpcHealth();
builder.Services.AddGrpcReflection();
builder.Services.AddInfraApi(store, new ApiOptions(config.ImageDirectory, config.Placement, config.WatchBookmarkInterval));
var app = builder.Build();
var auth = new BearerTokenAuth(ConfigLoader.LoadTokens(config), config.InsecureAllowNoAuth);
app.Use(auth.InvokeAsync);
app.MapInfraApi();
// ---- SOUTHBOUND: the lead maps AgentSessionService (Infra.Controller.Southbound) here, e.g.
// app.MapGrpcService<AgentSessionService>(); and adds its desired-state builder and failure detector
// as hosted services above (builder.Services...). Add its service name to `served` below.
app.MapGrpcHealthService();
app.MapGrpcReflectionService();

var health = app.Services.GetRequiredService<HealthStatusManager>();
string[] served = ["", .. ApiRegistration.ServiceNames];
app.Lifetime.ApplicationStopping.Register(() =>
{
    notify.Stopping();
    foreach (var s in served) health.SetStatus(s, ServingStatus.NotServing);
    ControllerLog.Stopping(log);
});

// Not serving until the listener is bound and the store is open (health probes must not race startup).
foreach (var s in served) health.SetStatus(s, ServingStatus.NotServing);
await app.StartAsync();
var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var url = ReadyUrl.From(bound, config.UsesTls);
foreach (var s in served) health.SetStatus(s, ServingStatus.Serving);
if (config.ReadyFile is { } readyFile) ReadyUrl.Write(readyFile, url);
notify.Ready($"serving on {url}");
ControllerLog.Ready(log, url, config.Store, config.NodeId);
await app.WaitForShutdownAsync();
await store.DisposeAsync();
return 0;
