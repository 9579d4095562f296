using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Infra.Systemd.Notify;

/// <summary>
/// Keeps systemd's watchdog (WatchdogSec=) fed while the service is healthy. Microsoft.Extensions.Hosting.Systemd
/// sends READY=1 and STOPPING=1 but never WATCHDOG=1, so this hosted service does: every quarter of the
/// deadline (<see cref="WatchdogSettings.PingEvery"/>) it asks <paramref name="healthy"/> and pets only
/// on "yes". A service whose loops hang stops petting and systemd restarts it, which is the point:
/// petting from a timer alone would prove only that the thread pool runs. Does nothing when systemd
/// set no watchdog for this process or the process is not a systemd service (no notifier).
/// </summary>
public sealed partial class WatchdogPet(ISystemdNotifier? notifier, WatchdogSettings? settings, Func<bool> healthy,
    TimeProvider time, ILogger<WatchdogPet> log) : BackgroundService
{
    /// <summary>The keep-alive datagram.</summary>
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>Pets sent so far (for tests and status).</summary>
    public long Pets => Interlocked.Read(ref _pets);
    private long _pets;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings is null || notifier is not { IsEnabled: true }) return;
        LogEnabled(settings.Interval, settings.PingEvery);
        using var timer = new PeriodicTimer(settings.PingEvery, time);
        var wasHealthy = true;
        try
        {
            do
            {
                var ok = healthy();
                if (ok)
                {
                    notifier.Notify(Watchdog);
                    Interlocked.Increment(ref _pets);
                }
                if (ok != wasHealthy)
                {
                    if (ok) LogRecovered(); else LogWithheld(settings.Interval);
                    wasHealthy = ok;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
