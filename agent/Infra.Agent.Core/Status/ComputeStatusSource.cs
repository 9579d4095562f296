using Infra.Agent.Compute.Manager;
using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>
/// VM states from the VM manager (which also diagnoses VMs that died, with their reason). A VM that
/// is not running because its NICs could not be wired (<paramref name="nicProblems"/>, by instance id) is reported
/// ERROR with that reason; it starts, and reports RUNNING, on the pass after the NIC is fixed.
/// </summary>
public sealed class ComputeStatusSource(VmManager vms, Func<IReadOnlyDictionary<string, string>>? nicProblems = null) : IStatusSource
{
    /// <inheritdoc/>
    public async Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        var problems = nicProblems?.Invoke() ?? new Dictionary<string, string>();
        foreach (var vm in await vms.ObserveAsync(ct))
        {
            var status = VmSpecMapping.ToStatus(vm);
            if (!vm.IsUp && problems.TryGetValue(vm.Id, out var why)) { status.State = InstanceState.Error; status.Reason = why; }
            report.Vms.Add(status);
        }
        // A VM never started yet has no record: it is reported from the problem alone.
        foreach (var (id, why) in problems.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (report.Vms.All(v => v.Id != id)) report.Vms.Add(new VmStatus { Id = id, State = InstanceState.Error, Reason = why });
    }
}
