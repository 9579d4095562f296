using Infra.Agent.Compute.Manager;
using Infra.Agent.Core.State;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Hands the snapshot's VMs to the VM manager (which adopts, starts, stops and destroys). A VM whose
/// NICs are not ready (<paramref name="nicProblem"/>, from the tap applier) is not started this pass:
/// its start is reported with the reason and planned again on the next pass, instead of letting qemu
/// fail on the tap and leaving the VM in ERROR for good. Likewise a VM whose volume is not served
/// (no vhost-user socket yet: e.g. its base image is not on this host until the operator seeds
/// image_dir) waits with the reason, and starts on the pass after its volume is served.
/// Only a tombstone (VmSpec.deleted) destroys a VM; a VM the snapshot does not name is an orphan,
/// left running (see <see cref="ComputeMapping.Orphans"/>).
/// </summary>
public sealed class ComputeApplier(VmManager vms, Func<string, string> volumeSocket, Func<string, string?>? nicProblem = null, Func<string, bool>? volumeServed = null) : IResourceApplier
{
    readonly Func<string, bool> _volumeServed = volumeServed ?? (id => File.Exists(volumeSocket(id)));

    /// <inheritdoc/>
    public string Name => "compute";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var mapped = ComputeMapping.ToDesiredVms(snapshot, volumeSocket);
        var desired = ComputeMapping.KeepUnmapped(mapped.Value, snapshot, vms.Store.Load);
        var specs = snapshot.OfKind(DesiredKind.Vm).Where(r => !r.Vm.Deleted).ToDictionary(r => r.Vm.Id, r => r.Vm, StringComparer.Ordinal);
        desired = ConfigDriveFiles.Materialize(desired, specs, vms.Store.PathsOf);
        if (TestHooks.GuestKernel is { } kernel) desired = desired.Select(v => v with { Definition = v.Definition with { Kernel = kernel } }).ToList();
        var results = await vms.ReconcileAsync(desired, ct, a => a is VmAction.Start ? StartProblem(a.VmId, specs) : null, ComputeMapping.Deleted(snapshot));
        var errors = mapped.Errors.ToList();
        foreach (var (action, error) in results)
            if (error is not null) errors.Add(NetworkMapping.Error(DesiredKind.Vm, action.VmId, $"{action.GetType().Name}: {error}"));
        return errors;
    }

    string? StartProblem(string vmId, IReadOnlyDictionary<string, VmSpec> specs)
    {
        if (nicProblem?.Invoke(vmId) is { } why) return $"not started: {why}";
        if (specs.TryGetValue(vmId, out var spec) && spec.VolumeIds.FirstOrDefault(v => !_volumeServed(v)) is { } volume)
            return $"not started: volume {volume} is not served on this host yet (see the volume's error); it starts once it is";
        return null;
    }
}
