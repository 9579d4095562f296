using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Snapshots;

namespace Infra.Agent.Vm.Hosting;

public sealed partial class VmHost
{
    /// <summary>Snapshots every volume of running VM <paramref name="vmId"/> as one consistent group (see <see cref="GroupSnapshotter"/>).</summary>
    /// <exception cref="SnapshotNotQuiescedException">RequireQuiesce and the guest could not be frozen.</exception>
    public Task<GroupSnapshot> SnapshotAsync(string vmId, GroupSnapshotRequest request, CancellationToken ct = default)
    {
        var volumes = VolumesOf(vmId);
        if (volumes.Count == 0)
            throw new InvalidOperationException($"VM {vmId} has no volumes served by this agent run; after an agent restart call AdoptAsync with its volumes first");
        Directory.CreateDirectory(request.OverlayDirectory);
        return GroupSnapshotter.SnapshotAsync(Vms, vmId, volumes, request, _log, ct);
    }

    /// <summary>
    /// Rebuilds what this run knows about a VM that kept running while the agent restarted: adopts
    /// its qemu (QMP) and its volumes' daemons (or serves the volumes again when a daemon is gone)
    /// and records them as the VM's boot volumes, so snapshots and hot-plug work without a restart.
    /// Hot-plugged volumes must be named too; they are recorded in the order given.
    /// </summary>
    public async Task AdoptAsync(string vmId, IReadOnlyList<VolumeSpec> volumes, CancellationToken ct = default)
    {
        await Vms.AdoptAsync(vmId, ct).ConfigureAwait(false);
        var served = new List<ServedVolume>();
        foreach (var spec in volumes) served.Add(await _volumes.ServeOrAdoptAsync(spec, ct).ConfigureAwait(false));
        _attached[vmId] = new VmVolumes(served);
    }
}
