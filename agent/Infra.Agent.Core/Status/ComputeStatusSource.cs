using Infra.Agent.Compute.Manager;
using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>
/// VM states from the VM manager (which also diagnoses VMs that died, with their reason). A VM that
/// is not running because its NICs could not be wired (<paramref name="nicProblems"/>, by instance id) is reported
/// ERROR with that reason; it starts, and reports RUNNING, on the pass after the NIC is fixed.
/// Against the held desired state (<paramref name="desired"/>): a VM it does not name is reported
/// with orphan set (left running, never removed for being absent), and a tombstone carried out (no
/// VM left) is reported with deleted set, so the controller can forget the tombstone.
/// </summary>
public sealed class ComputeStatusSource(VmManager vms, Func<IReadOnlyDictionary<string, string>>? nicProblems = null, Func<DesiredSnapshot>? desired = null) : IStatusSource
{
    /// <inheritdoc/>
    public async Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        var problems = nicProblems?.Invoke() ?? new Dictionary<string, string>();
        var observed = await vms.ObserveAsync(ct);
        var snapshot = desired?.Invoke();
        var orphans = snapshot is null ? new HashSet<string>() : ComputeMapping.Orphans(snapshot, observed.Select(v => v.Id)).ToHashSet(StringComparer.Ordinal);
        foreach (var vm in observed)
        {
            var status = VmSpecMapping.ToStatus(vm);
            status.Orphan = orphans.Contains(vm.Id);
            if (!vm.IsUp && problems.TryGetValue(vm.Id, out var why)) { status.State = InstanceState.Error; status.Reason = why; }
            report.Vms.Add(status);
        }
        // A VM never started yet has no record: it is reported from the problem alone.
        foreach (var (id, why) in problems.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (report.Vms.All(v => v.Id != id)) report.Vms.Add(new VmStatus { Id = id, State = InstanceState.Error, Reason = why });
        if (snapshot is not null)
            foreach (var id in ComputeMapping.Deleted(snapshot).Order(StringComparer.Ordinal))
                if (report.Vms.All(v => v.Id != id)) report.Vms.Add(new VmStatus { Id = id, Deleted = true });
    }
}
