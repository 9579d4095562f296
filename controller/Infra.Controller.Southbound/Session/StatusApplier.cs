using Infra.Controller.Domain.Lifecycle;
using WireMapping = Infra.Controller.Domain.Model.WireMapping;
using Infra.Controller.Southbound.Cluster;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// Writes what an agent observed into the API objects: instance state, volume state, port status.
/// Reports only count for objects the reporting host is responsible for, so a late report from a
/// host whose VM was already moved elsewhere cannot overwrite the new host's truth. A volume
/// reported purged removes the host's purge tombstone for it (the volume object is already gone); a
/// VM reported deleted removes the host's VM tombstone likewise.
/// </summary>
public sealed class StatusApplier(IKeyValueStore store)
{
    public async Task ApplyAsync(string hostId, StatusReport report, CancellationToken ct)
    {
        foreach (var vm in report.Vms.Where(v => v.Deleted))
            // The VM tombstone is carried out: forget it (only this host's, and only if it is still there).
            await store.TxnAsync(Desired.VmTombstones.Forget(hostId, vm.Id), ct).ConfigureAwait(false);

        // An orphan (a VM this host runs that its desired state does not name) is reported, not folded:
        // the instance of that id, if any, lives elsewhere and its own host's reports are its truth.
        foreach (var vm in report.Vms.Where(v => !v.Deleted && !v.Orphan))
            await ObjectStore.ChangeAsync(store, Kinds.Instance, vm.Id, i =>
            {
                if (i is null || i.HostId != hostId || i.State == InstanceState.Deleting) return null;
                return Fold(i, vm);
            }, ct).ConfigureAwait(false);

        await HostViewAsync(hostId, report, ct).ConfigureAwait(false);

        foreach (var v in report.Volumes.Where(v => v.Purged))
            // The purge order is done: forget it (only this host's, and only if it is still there).
            await store.TxnAsync(Desired.VolumePurge.Forget(hostId, v.Id), ct).ConfigureAwait(false);

        foreach (var v in report.Volumes.Where(v => !v.Purged))
            await ObjectStore.ChangeAsync(store, Kinds.Volume, v.Id, vol =>
            {
                if (vol is null || vol.State == VolumeState.Deleting) return null;
                vol.State = v.State;
                vol.StateReason = v.Reason;
                return vol;
            }, ct).ConfigureAwait(false);

        foreach (var p in report.Ports)
            await ObjectStore.ChangeAsync(store, Kinds.Port, p.Id, port =>
            {
                // A late report from a host the port has left must not overwrite the new host's view.
                if (port is null || (port.HostId.Length > 0 && port.HostId != hostId)) return null;
                var failed = p.Ofport < 0 || p.Error.Length > 0;
                port.Status = failed ? PortStatus.Error : p.Up ? PortStatus.Up : PortStatus.Down;
                port.StatusReason = failed ? (p.Error.Length > 0 ? p.Error : "OVS could not attach the interface (ofport -1)") : "";
                port.HostId = hostId;
                return port;
            }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The host's orphans and hold, so an operator sees them on the host (a full report replaces the
    /// list; a change report updates the VMs it names). Written only when something changed.
    /// </summary>
    async Task HostViewAsync(string hostId, StatusReport report, CancellationToken ct) =>
        await ObjectStore.ChangeAsync(store, Kinds.Host, hostId, h =>
        {
            if (h is null) return null;
            var orphans = report.Full ? new SortedSet<string>(StringComparer.Ordinal) : new SortedSet<string>(h.OrphanInstanceIds, StringComparer.Ordinal);
            foreach (var vm in report.Vms)
                if (vm.Orphan && !vm.Deleted) orphans.Add(vm.Id); else orphans.Remove(vm.Id);
            var held = report.Full ? report.Held : h.AgentHeld;
            if (orphans.SequenceEqual(h.OrphanInstanceIds) && held == h.AgentHeld) return null;
            h.OrphanInstanceIds.Clear();
            h.OrphanInstanceIds.AddRange(orphans);
            h.AgentHeld = held;
            return h;
        }, ct).ConfigureAwait(false);

    /// <summary>
    /// An agent's report goes through the instance lifecycle (<see cref="InstanceLifecycle.Observe"/>), not
    /// over it: a report that lags an operator action (STOPPED while STARTING) keeps the transitional state,
    /// and a guest that powered itself off also turns the desired state to STOPPED, so the agent does not
    /// start it again. The reason the lifecycle gives is kept; a settled state without one clears the old
    /// reason, while an unchanged state keeps it (an ERROR stays explained).
    /// </summary>
    internal static Instance? Fold(Instance i, VmStatus vm)
    {
        // The reboot generation is not the lifecycle's concern here: Observe never changes it.
        var decision = InstanceLifecycle.Observe(WireMapping.Status(i, 0), vm.State, vm.Reason);
        if (decision.Ignored) return null;
        var state = WireMapping.ToWire(decision.Next.State);
        i.StateReason = decision.StateReason ?? (state == i.State ? i.StateReason : "");
        i.State = state;
        i.DesiredState = WireMapping.ToWire(decision.Next.Desired);
        return i;
    }

    /// <summary>
    /// A nack names the objects that failed: their state_reason says why (instances go ERROR, volumes
    /// ERROR, ports ERROR), so the operator sees the failure on the object they asked for.
    /// </summary>
    public async Task ApplyNackAsync(string hostId, Nack nack, CancellationToken ct)
    {
        foreach (var e in nack.Errors)
        {
            var why = $"host {hostId} could not apply desired state v{nack.Version}: {e.Error}";
            switch (e.Ref?.Kind)
            {
                case DesiredKind.Vm:
                    await ObjectStore.ChangeAsync(store, Kinds.Instance, e.Ref.Id, i =>
                    {
                        if (i is null || i.HostId != hostId) return null;
                        i.State = InstanceState.Error;
                        i.StateReason = why;
                        return i;
                    }, ct).ConfigureAwait(false);
                    break;
                case DesiredKind.Volume:
                    await ObjectStore.ChangeAsync(store, Kinds.Volume, e.Ref.Id, v =>
                    {
                        if (v is null) return null;
                        v.State = VolumeState.Error;
                        v.StateReason = why;
                        return v;
                    }, ct).ConfigureAwait(false);
                    break;
                case DesiredKind.Port:
                    await ObjectStore.ChangeAsync(store, Kinds.Port, e.Ref.Id, p =>
                    {
                        if (p is null) return null;
                        p.Status = PortStatus.Error;
                        p.StatusReason = why;
                        return p;
                    }, ct).ConfigureAwait(false);
                    break;
            }
        }
        // The host object has no error field: the last nack is kept beside the ledger for operators.
        await store.PutAsync(StoreLayout.LastNack(hostId), $"v{nack.Version}: {nack.Error}", ct: ct).ConfigureAwait(false);
    }
}
