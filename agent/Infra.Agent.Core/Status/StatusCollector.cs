using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Status;

/// <summary>Builds full reports from every source; a source that fails is logged and the round skipped.</summary>
public sealed partial class StatusCollector(IReadOnlyList<IStatusSource> sources, ILogger log)
{
    private readonly ILogger _log = log;

    /// <summary>A full report of everything observed now; null when a source failed (a partial report would read as "objects gone").</summary>
    public async Task<StatusReport?> CollectAsync(CancellationToken ct)
    {
        var report = new StatusReport { Full = true };
        var failed = false;
        foreach (var s in sources)
        {
            try { await s.CollectAsync(report, ct); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogSourceFailed(s.GetType().Name, e.Message);
                failed = true;
            }
        }
        return failed ? null : report;
    }
}
