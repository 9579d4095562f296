using Infra.Agent.Compute.Manager;
using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>VM states from the VM manager (which also diagnoses VMs that died, with their reason).</summary>
public sealed class ComputeStatusSource(VmManager vms) : IStatusSource
{
    /// <inheritdoc/>
    public async Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        foreach (var vm in await vms.ObserveAsync(ct)) report.Vms.Add(VmSpecMapping.ToStatus(vm));
    }
}
