namespace Infra.Agent.Compute.Manager;

public sealed partial class VmManager
{
    /// <summary>Observes, plans with <see cref="VmReconciler"/> and applies; returns each action with its error (null when it went well).</summary>
    public async Task<IReadOnlyList<(VmAction Action, string? Error)>> ReconcileAsync(IReadOnlyList<DesiredVm> desired, CancellationToken ct)
    {
        var plan = VmReconciler.Plan(desired, await ObserveAsync(ct), _options.DestroyShutdownTimeout);
        var results = new List<(VmAction, string?)>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan)
        {
            // After one action of a VM fails the rest of its plan is moot; the next pass recomputes.
            if (failed.Contains(action.VmId)) continue;
            try
            {
                await ApplyAsync(action, ct);
                results.Add((action, null));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                failed.Add(action.VmId);
                LogActionFailed(action.VmId, action.GetType().Name, e.Message);
                results.Add((action, e.Message));
            }
        }
        return results;
    }

    /// <summary>Applies one action.</summary>
    public Task ApplyAsync(VmAction action, CancellationToken ct) => action switch
    {
        VmAction.Adopt a => AdoptAsync(a.Id, ct),
        VmAction.Start s => StartAsync(s.Definition, s.Paused, s.RebootGeneration, ct),
        VmAction.Stop s => ShutdownAsync(s.Id, s.Timeout, ct),
        VmAction.Pause p => PauseAsync(p.Id, ct),
        VmAction.Resume r => ResumeAsync(r.Id, ct),
        VmAction.Reboot r => RebootAsync(r.Id, r.RebootGeneration, ct),
        VmAction.SetCpu c => SetCpuAsync(c.Id, c.CpuMhz, ct),
        VmAction.AcknowledgeStopped a => Gated(() => { Update(a.Id, r => r with { StoppedOnRequest = true, DownAs = ObservedPower.Stopped }); return Task.CompletedTask; }, ct),
        VmAction.Destroy d => DeleteAsync(d.Id, d.Timeout, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown VM action"),
    };
}
