using Infra.Controller.Domain.Lifecycle;
using WireMapping = Infra.Controller.Domain.Model.WireMapping;
using Infra.Controller.Southbound.Cluster;
using Infra.Store;
using Infra.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// Writes what an agent observed into the API objects: instance state, volume state, port status.
/// Reports and nacks only count for objects placed on the reporting host (<see cref="HostScope"/>), so
/// a late report from a host whose VM was already moved elsewhere cannot overwrite the new host's
/// truth, and a host cannot write into another host's or tenant's objects by naming their ids: such
/// entries are ignored and logged. Agent text (reasons, errors) is capped (<see cref="AgentText"/>).
/// A volume reported purged removes the host's purge tombstone for it (the volume object is already
/// gone); a VM reported deleted removes the host's VM tombstone likewise.
/// </summary>
public sealed partial class StatusApplier(IKeyValueStore store, ILogger? log = null)
{
    readonly ILogger _log = log ?? NullLogger.Instance;

    public async Task ApplyAsync(string hostId, StatusReport report, CancellationToken ct)
    {
        foreach (var vm in report.Vms.Where(v => v.Deleted))
            // The VM tombstone is carried out: forget it (only this host's, and only if it is still there).
            await store.TxnAsync(Desired.VmTombstones.Forget(hostId, vm.Id), ct).ConfigureAwait(false);

        var scope = new HostScope(store, hostId);
        // An orphan (a VM this host runs that its desired state does not name) is reported, not folded:
        // the instance of that id, if any, lives elsewhere and its own host's reports are its truth.
        foreach (var vm in report.Vms.Where(v => !v.Deleted && !v.Orphan))
        {
            string? refused = null;
            var after = await ObjectStore.ChangeAsync(store, Kinds.Instance, vm.Id, i =>
            {
                if (i is null) return null;
                scope.Saw(i);
                if ((refused = scope.Refuse(i)) is not null || i.State == InstanceState.Deleting) return null;
                return Fold(i, vm);
            }, ct).ConfigureAwait(false);
            Ignored(scope, "status report", "instance", vm.Id, after is null, refused);
        }

        await HostViewAsync(hostId, report, ct).ConfigureAwait(false);

        foreach (var v in report.Volumes.Where(v => v.Purged))
            // The purge order is done: forget it (only this host's, and only if it is still there).
            await store.TxnAsync(Desired.VolumePurge.Forget(hostId, v.Id), ct).ConfigureAwait(false);

        foreach (var v in report.Volumes.Where(v => !v.Purged))
            await ChangeVolumeAsync(scope, "status report", v.Id, vol =>
            {
                if (vol.State == VolumeState.Deleting) return null;
                vol.State = v.State;
                vol.StateReason = AgentText.Cap(v.Reason);
                return vol;
            }, ct).ConfigureAwait(false);

        foreach (var p in report.Ports)
            await ChangePortAsync(scope, "status report", p.Id, port =>
            {
                var failed = p.Ofport < 0 || p.Error.Length > 0;
                port.Status = failed ? PortStatus.Error : p.Up ? PortStatus.Up : PortStatus.Down;
                port.StatusReason = failed ? (p.Error.Length > 0 ? AgentText.Cap(p.Error) : "OVS could not attach the interface (ofport -1)") : "";
                port.HostId = hostId;
                return port;
            }, ct).ConfigureAwait(false);
    }

    /// <summary>Changes a volume the host may report on; the check and the write see the same placement.</summary>
    async Task ChangeVolumeAsync(HostScope scope, string message, string id, Func<Volume, Volume?> change, CancellationToken ct)
    {
        var seen = await ObjectStore.ReadAsync(store, Kinds.Volume, id, ct).ConfigureAwait(false);
        var refused = seen is null ? null : await scope.RefuseAsync(seen, ct).ConfigureAwait(false);
        Ignored(scope, message, "volume", id, seen is null, refused);
        if (seen is null || refused is not null) return;
        await ObjectStore.ChangeAsync(store, Kinds.Volume, id, vol =>
            vol is null || vol.HostId != seen.HostId || vol.AttachedInstanceId != seen.AttachedInstanceId ? null : change(vol), ct).ConfigureAwait(false);
    }

    /// <summary>Changes a port of an instance placed on the host; the check and the write see the same instance.</summary>
    async Task ChangePortAsync(HostScope scope, string message, string id, Func<Port, Port?> change, CancellationToken ct)
    {
        var seen = await ObjectStore.ReadAsync(store, Kinds.Port, id, ct).ConfigureAwait(false);
        var refused = seen is null ? null : await scope.RefuseAsync(seen, ct).ConfigureAwait(false);
        Ignored(scope, message, "port", id, seen is null, refused);
        if (seen is null || refused is not null) return;
        await ObjectStore.ChangeAsync(store, Kinds.Port, id, port =>
            port is null || port.InstanceId != seen.InstanceId ? null : change(port), ct).ConfigureAwait(false);
    }

    void Ignored(HostScope scope, string message, string kind, string id, bool missing, string? refused)
    {
        if (refused is not null) LogNotPlacedHere(_log, scope.HostId, message, kind, id, refused);
        else if (missing) LogUnknown(_log, scope.HostId, message, kind, id);
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
        var decision = InstanceLifecycle.Observe(WireMapping.Status(i, 0), vm.State, AgentText.Cap(vm.Reason));
        if (decision.Ignored) return null;
        var state = WireMapping.ToWire(decision.Next.State);
        i.StateReason = decision.StateReason ?? (state == i.State ? i.StateReason : "");
        i.State = state;
        i.DesiredState = WireMapping.ToWire(decision.Next.Desired);
        return i;
    }

    /// <summary>
    /// A nack names the objects that failed: their state_reason says why (instances go ERROR, volumes
    /// ERROR, ports ERROR), so the operator sees the failure on the object they asked for. Only objects
    /// placed on the nacking host are touched, as for reports.
    /// </summary>
    public async Task ApplyNackAsync(string hostId, Nack nack, CancellationToken ct)
    {
        var scope = new HostScope(store, hostId);
        foreach (var e in nack.Errors)
        {
            var why = AgentText.Cap($"host {hostId} could not apply desired state v{nack.Version}: {e.Error}");
            var id = e.Ref?.Id ?? "";
            switch (e.Ref?.Kind)
            {
                case DesiredKind.Vm:
                    string? refused = null;
                    var after = await ObjectStore.ChangeAsync(store, Kinds.Instance, id, i =>
                    {
                        if (i is null || (refused = scope.Refuse(i)) is not null) return null;
                        i.State = InstanceState.Error;
                        i.StateReason = why;
                        return i;
                    }, ct).ConfigureAwait(false);
                    Ignored(scope, "nack", "instance", id, after is null, refused);
                    break;
                case DesiredKind.Volume:
                    await ChangeVolumeAsync(scope, "nack", id, v =>
                    {
                        v.State = VolumeState.Error;
                        v.StateReason = why;
                        return v;
                    }, ct).ConfigureAwait(false);
                    break;
                case DesiredKind.Port:
                    await ChangePortAsync(scope, "nack", id, p =>
                    {
                        p.Status = PortStatus.Error;
                        p.StatusReason = why;
                        return p;
                    }, ct).ConfigureAwait(false);
                    break;
            }
        }
        // The host object has no error field: the last nack is kept beside the ledger for operators.
        await store.PutAsync(StoreLayout.LastNack(hostId), AgentText.Cap($"v{nack.Version}: {nack.Error}"), ct: ct).ConfigureAwait(false);
    }
}
