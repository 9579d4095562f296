using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Runners;

/// <summary>
/// Runs each VM as a transient systemd unit (infra-vm-&lt;id&gt;.service in infra-vms.slice) through
/// <see cref="IUnitManager"/>. systemd owns the process and its cgroup, so the agent can die and
/// restart freely; the agent finds the VM again by unit name and checks its pidfile.
/// </summary>
public sealed class SystemdUnitRunner(IUnitManager units, TimeProvider time, TimeSpan? startTimeout = null) : IVmRunner
{
    private readonly TimeSpan _startTimeout = startTimeout ?? TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public async Task<int> StartAsync(VmDefinition vm, IReadOnlyList<string> argv, VmResources resources, VmPaths paths, CancellationToken ct)
    {
        Directory.CreateDirectory(paths.Directory);
        foreach (var stale in new[] { paths.PidFile, paths.ExitStatusFile }) File.Delete(stale);
        var unit = UnitProperties.UnitName(vm.Id);
        // A failed unit of the same name from an earlier run would make the start fail.
        if (await units.GetUnitStateAsync(unit, ct) is { ActiveState: "failed" }) await units.ResetFailedUnitAsync(unit, ct);
        await units.StartTransientUnitAsync(unit, UnitProperties.ForStart(vm, argv, resources, paths), ct);

        var deadline = time.GetUtcNow() + _startTimeout;
        for (var poll = 0; ; poll++)
        {
            if (ProcessInspector.ReadPidFile(paths.PidFile) is { } pid && ProcessInspector.IsAlive(pid)) return pid;
            // The pidfile is a file read; the unit's state is a D-Bus round trip, asked every 10th poll.
            if (poll % 10 != 9) { await Task.Delay(ProcessInspector.StartPoll, time, ct); continue; }
            var state = await units.GetUnitStateAsync(unit, ct);
            if (state is { ActiveState: "failed" or "inactive" })
                throw new VmStartException($"VM {vm.Id}: unit {unit} ended at start ({state.Result}, status {state.ExecMainStatus}): {LogTail.Read(paths.StdioLog, 5)}");
            if (time.GetUtcNow() > deadline)
                throw new VmStartException($"VM {vm.Id}: qemu wrote no pidfile within {_startTimeout.TotalSeconds:0} s; see journalctl -u {unit} and {paths.StdioLog}");
            await Task.Delay(ProcessInspector.StartPoll, time, ct);
        }
    }

    /// <inheritdoc/>
    public async Task<ProcessObservation> ObserveAsync(string vmId, VmPaths paths, CancellationToken ct)
    {
        var state = await units.GetUnitStateAsync(UnitProperties.UnitName(vmId), ct);
        if (state is { ActiveState: "active" or "activating" or "reloading" } && state.MainPid > 0
            && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(state.MainPid), vmId, paths.QmpSocket))
            return ProcessObservation.Alive(state.MainPid);
        if (state is null) return ProcessObservation.Gone(null);
        return ProcessObservation.Gone(state.Result switch
        {
            "signal" or "core-dump" => new ProcessExit(null, state.ExecMainStatus),
            _ => new ProcessExit(state.ExecMainStatus, null),
        });
    }

    /// <inheritdoc/>
    public Task SetResourcesAsync(string vmId, VmResources resources, CancellationToken ct) =>
        units.SetUnitPropertiesAsync(UnitProperties.UnitName(vmId), UnitProperties.ForResources(resources), ct);

    /// <inheritdoc/>
    public Task KillAsync(string vmId, VmPaths paths, CancellationToken ct) =>
        units.KillUnitAsync(UnitProperties.UnitName(vmId), 9, ct);

    /// <inheritdoc/>
    public async Task ReleaseAsync(string vmId, CancellationToken ct)
    {
        var unit = UnitProperties.UnitName(vmId);
        if (await units.GetUnitStateAsync(unit, ct) is { ActiveState: "failed" }) await units.ResetFailedUnitAsync(unit, ct);
    }
}
