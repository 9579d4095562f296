using Infra.Agent.Config;
using Infra.Agent.Hosting;
using Infra.Systemd.Notify;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

// infra-agent [--config /etc/infra/agent.yaml] [--check-config]
// Exit codes: 0 stopped on request, 1 failed, 2 bad command line or config (every error listed).
var configPath = "/etc/infra/agent.yaml";
var checkOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--config" when i + 1 < args.Length: configPath = args[++i]; break;
        case "--check-config": checkOnly = true; break;
        default:
            Console.Error.WriteLine($"infra-agent: unknown argument '{args[i]}'; usage: infra-agent [--config PATH] [--check-config]");
            return 2;
    }
}

string yaml;
try { yaml = File.ReadAllText(configPath); }
catch (IOException e)
{
    Console.Error.WriteLine($"infra-agent: cannot read config {configPath}: {e.Message}");
    return 2;
}
var (config, errors) = AgentConfigLoader.Load(yaml);
if (config is null)
{
    Console.Error.WriteLine($"infra-agent: {configPath} has {errors.Count} error(s):");
    foreach (var e in errors) Console.Error.WriteLine($"  - {e}");
    return 2;
}
if (checkOnly)
{
    Console.WriteLine($"{configPath}: OK (host {config.HostId}, controller {config.Controller.Url})");
    return 0;
}

var level = config.LogLevel switch { "trace" => LogLevel.Trace, "debug" => LogLevel.Debug, "warning" => LogLevel.Warning, "error" => LogLevel.Error, _ => LogLevel.Information };
// The Generic Host with Hosting.Systemd: under systemd its lifetime sends READY=1 once AgentService
// has started and STOPPING=1 on SIGTERM, and logs go to stdout as "<N>Category[event] message" lines
// journald files by priority; elsewhere (tests, a shell) one plain line per message.
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "infra-agent" });
builder.Logging.SetMinimumLevel(level).AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Services.AddSystemd();
builder.Services.AddSingleton(sp => new AgentService(config, sp.GetRequiredService<ILoggerFactory>(),
    sp.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System, sp.GetService<ISystemdNotifier>()));
// Before the agent, so the watchdog is fed while the graph is built (AgentService counts as healthy while starting).
builder.Services.AddHostedService(sp => new WatchdogPet(sp.GetService<ISystemdNotifier>(), WatchdogSettings.FromEnvironment(),
    () => sp.GetRequiredService<AgentService>().IsHealthy, TimeProvider.System, sp.GetRequiredService<ILogger<WatchdogPet>>()));
builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentService>());

using var host = builder.Build();
var agent = host.Services.GetRequiredService<AgentService>();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
try
{
    await host.StartAsync();
    await host.WaitForShutdownAsync();
    return agent.Failure is null ? 0 : 1;
}
catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
{
    return 0; // SIGTERM while starting
}
catch (Exception)
{
    // AgentService (or the host, "Hosting failed to start") logged why.
    await host.StopAsync(TimeSpan.FromSeconds(30));
    return 1;
}
