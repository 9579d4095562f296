using Infra.Agent.Compute.Manager;
using Infra.Agent.Core.State;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>Hands the snapshot's VMs to the VM manager (which adopts, starts, stops and destroys).</summary>
public sealed class ComputeApplier(VmManager vms, Func<string, string> volumeSocket) : IResourceApplier
{
    /// <inheritdoc/>
    public string Name => "compute";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var mapped = ComputeMapping.ToDesiredVms(snapshot, volumeSocket);
        var desired = ComputeMapping.KeepUnmapped(mapped.Value, snapshot, vms.Store.Load);
        if (TestHooks.GuestKernel is { } kernel) desired = desired.Select(v => v with { Definition = v.Definition with { Kernel = kernel } }).ToList();
        var results = await vms.ReconcileAsync(desired, ct);
        var errors = mapped.Errors.ToList();
        foreach (var (action, error) in results)
            if (error is not null) errors.Add(NetworkMapping.Error(DesiredKind.Vm, action.VmId, $"{action.GetType().Name}: {error}"));
        return errors;
    }
}
