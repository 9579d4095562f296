using System.Runtime.InteropServices;
using Infra.Agent.Config;
using Infra.Agent.Hosting;
using Infra.Systemd.Notify;
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
using var logs = LoggerFactory.Create(b => b.SetMinimumLevel(level).AddProvider(new JournalLoggerProvider(level)));
var log = logs.CreateLogger("infra-agent");
using var notify = SdNotify.FromEnvironment();
using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

var watchdog = WatchdogInterval();
var pinger = watchdog is { } every ? Task.Run(async () =>
{
    // Pet at half the interval systemd expects; a hung agent stops petting and gets restarted (VMs stay up).
    while (!stop.IsCancellationRequested)
    {
        notify.Watchdog();
        try { await Task.Delay(every / 2, stop.Token); } catch (OperationCanceledException) { }
    }
}) : Task.CompletedTask;

try
{
    await using var host = await AgentHost.CreateAsync(config, logs, stop.Token);
    host.Session.StateChanged += (s, why) => notify.Status($"controller session {s}: {why}; desired v{host.Apply.Current.Version}");
    var run = host.RunAsync(s => notify.Status(s), stop.Token);
    // Ready once the graph is up and the persisted state is being enforced; the controller may be away.
    notify.Ready($"agent for host {config.HostId} started; dialing {config.Controller.Url}");
    log.LogInformation("infra-agent started: host {HostId}, state {StateDir}, controller {Url}", config.HostId, config.StateDir, config.Controller.Url);
    try { await run; } catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    notify.Stopping();
    log.LogInformation("infra-agent stopping; VMs, volumes and flows are left running");
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    notify.Stopping();
    return 0;
}
catch (Exception e)
{
    log.LogCritical(e, "infra-agent failed: {Error}", e.Message);
    return 1;
}
finally
{
    await stop.CancelAsync();
    await pinger;
}

static TimeSpan? WatchdogInterval()
{
    var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
    var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
    if (pid is { Length: > 0 } && pid != Environment.ProcessId.ToString()) return null;
    return ulong.TryParse(usec, out var us) && us > 0 ? TimeSpan.FromMicroseconds(us) : null;
}
