using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api.Audit;

/// <summary>
/// Keeps the trail to its retention (the daemon's audit_retention_days): at start and then every
/// <see cref="Interval"/>, deletes records older than now minus the retention in one DeleteRange. Every
/// replica runs it; the deletes are idempotent, so no election is needed. Time comes from the injected
/// TimeProvider, so tests advance it instead of waiting an hour.
/// </summary>
public sealed partial class AuditRetention(AuditTrail trail, TimeSpan retention, TimeProvider time, ILogger<AuditRetention> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public TimeSpan Retention => retention;

    /// <summary>One pass: deletes what is older than the retention; returns how many records went.</summary>
    public async Task<long> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - retention;
        var deleted = await trail.DeleteBeforeAsync(cutoff, ct).ConfigureAwait(false);
        if (deleted > 0) LogSwept(log, deleted, cutoff);
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The store may be away for a while; the next pass catches up (nothing is lost by waiting).
                LogSweepFailed(log, e.Message);
            }
            try { await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }
}
