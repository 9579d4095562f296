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
            throw new InvalidOperationException($"VM {vmId} has no volumes served by this VmHost; it knows a VM's volumes only from StartAsync (the agent daemon takes them from its desired state instead, see Infra.Agent.Core Commands)");
        Directory.CreateDirectory(request.OverlayDirectory);
        return GroupSnapshotter.SnapshotAsync(Vms, vmId, volumes, request, _log, ct);
    }
}
