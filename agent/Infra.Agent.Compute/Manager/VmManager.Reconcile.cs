namespace Infra.Agent.Compute.Manager;

public sealed partial class VmManager
{
    /// <summary>Observes, plans with <see cref="VmReconciler"/> and applies; returns each action with its error (null when it went well).</summary>
    /// <param name="desired">The VMs wanted.</param>
    /// <param name="ct">Cancels the pass.</param>
    /// <param name="veto">Returns why an action must not run this pass (a VM whose NICs are not ready), or null; a vetoed action is reported with that error and planned again next pass.</param>
    /// <param name="deleted">VMs the controller deleted (tombstones): the only ones destroyed; any other VM not desired is left as it is.</param>
    public async Task<IReadOnlyList<(VmAction Action, string? Error)>> ReconcileAsync(IReadOnlyList<DesiredVm> desired, CancellationToken ct, Func<VmAction, string?>? veto = null, IReadOnlySet<string>? deleted = null)
    {
        var plan = VmReconciler.Plan(desired, await ObserveAsync(ct), _options.DestroyShutdownTimeout, deleted);
        var results = new List<(VmAction, string?)>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in plan)
        {
            // After one action of a VM fails the rest of its plan is moot; the next pass recomputes.
            if (failed.Contains(action.VmId)) continue;
            if (veto?.Invoke(action) is { } why) { failed.Add(action.VmId); results.Add((action, why)); continue; }
            if (_options.StopInBackground && action is VmAction.Stop or VmAction.Destroy)
            {
                // Reported as done: its outcome shows in the VM's next observation, and a failure is planned again.
                RunInBackground(action);
                results.Add((action, null));
                continue;
            }
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
        VmAction.SetCpu c => SetCpuAsync(c.Id, c.CpuMhz, c.CpuQuotaPercent, ct),
        VmAction.ChangeConfigDrive c => ChangeConfigDriveAsync(c.Id, c.Medium, ct),
        VmAction.AttachDisk a => AttachDiskAsync(a.Id, a.Socket, a.Slot, ct),
        VmAction.DetachDisk d => DetachDiskAsync(d.Id, d.Slot, ct),
        VmAction.AcknowledgeStopped a => Gated(a.Id, () => { Update(a.Id, r => r with { StoppedOnRequest = true, DownAs = ObservedPower.Stopped }); return Task.CompletedTask; }, ct),
        VmAction.Destroy d => DeleteAsync(d.Id, d.Timeout, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown VM action"),
    };
}
