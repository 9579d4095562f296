using Infra.Systemd.Notify;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

// Usage: NotifyHelper <gate-file> <status-when-ready> [sick-file]
// Says STATUS=waiting for <gate-file> and starts only once that file exists (the test creates it);
// the library then sends READY=1, and STOPPING=1 on SIGTERM. WatchdogPet feeds WatchdogSec= while
// <sick-file> does not exist.
if (args.Length is < 2 or > 3) { Console.Error.WriteLine("usage: NotifyHelper <gate-file> <status-when-ready> [sick-file]"); return 2; }
if (!SystemdHelpers.IsSystemdService()) { Console.Error.WriteLine("not started by systemd; run me as a Type=notify unit"); return 3; }

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Logging.AddConsole();
builder.Services.AddSystemd();
builder.Services.AddHostedService(sp => new WatchdogPet(sp.GetService<ISystemdNotifier>(), WatchdogSettings.FromEnvironment(),
    () => args.Length < 3 || !File.Exists(args[2]), TimeProvider.System, sp.GetRequiredService<ILogger<WatchdogPet>>()));
builder.Services.AddHostedService(sp => new Gate(sp.GetRequiredService<ISystemdNotifier>(), args[0], args[1]));
using var host = builder.Build();
await host.RunAsync();
return 0;

sealed class Gate(ISystemdNotifier notifier, string file, string readyStatus) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        notifier.Notify(new ServiceState($"STATUS=waiting for {file}"));
        for (var i = 0; i < 6000 && !File.Exists(file); i++) await Task.Delay(50, ct); // bounded: 5 minutes
        if (!File.Exists(file)) throw new TimeoutException($"{file} did not appear");
        notifier.Notify(new ServiceState($"STATUS={readyStatus}"));
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
