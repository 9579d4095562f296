using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.Systemd.Notify;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Hosting;

/// <summary>
/// What systemd's watchdog pet (Infra.Systemd's <see cref="WatchdogPet"/>) asks of the controller:
/// healthy while this probe loop, a hosted service of the host, runs and the store answered a one-key
/// read within the watchdog deadline. The read runs here in the background (every quarter of the
/// deadline, bounded by the same as its timeout) because the pet's question must answer at once;
/// its answer is a timestamp, so a read that hangs past its own timeout counts as "no answer" too.
/// A hung store client or an etcd that stays away thus ends in a restart by systemd
/// (WatchdogSignal=SIGKILL); the new process exits 2 until the store answers, and Restart=on-failure
/// tries again. The startup read in Program.cs counts as the first answer. Without WatchdogSec= (a
/// shell, the tests' daemons) nothing asks and nothing is read.
/// </summary>
public sealed partial class ControllerHealth(IKeyValueStore store, WatchdogSettings? watchdog, TimeProvider time, ILogger<ControllerHealth> log)
    : BackgroundService
{
    long _lastAnswerTicks = time.GetUtcNow().UtcTicks;
    volatile bool _probing;

    /// <summary>How long the store may go without answering before the controller counts as unhealthy.</summary>
    public TimeSpan Limit => watchdog?.Interval ?? TimeSpan.MaxValue;

    /// <summary>True while starting, and while the probe loop runs and the store answered within <see cref="Limit"/>.</summary>
    public bool IsHealthy
    {
        get
        {
            if (ExecuteTask is null) return true; // the host is still starting its services
            if (!_probing) return false;          // the loop ended: stopping, or it failed
            var since = time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastAnswerTicks), TimeSpan.Zero);
            return since <= Limit;
        }
    }

    /// <summary>The read that proves the store answers: one key under the controller's root (also the startup probe).</summary>
    public static Task ReadOneAsync(IKeyValueStore store, CancellationToken ct) =>
        store.RangeAsync(RangeRequest.Prefix(StoreLayout.Root) with { Limit = 1 }, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (watchdog is null) return;
        var every = watchdog.Interval / 4;
        _probing = true;
        var answering = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var bound = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    bound.CancelAfter(every);
                    try
                    {
                        await ReadOneAsync(store, bound.Token).ConfigureAwait(false);
                        Interlocked.Exchange(ref _lastAnswerTicks, time.GetUtcNow().UtcTicks);
                        if (!answering) LogStoreAnswersAgain();
                        answering = true;
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        if (answering) LogStoreNotAnswering(e.Message, Limit);
                        answering = false;
                    }
                }
                await Task.Delay(every, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally { _probing = false; }
    }
}
