using Infra.Controller.Core.Placement;
using Infra.Controller.Model.Placement;
using Infra.Controller.Southbound.Cluster;
using Infra.Controller.Southbound.Desired;
using Infra.Store;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

/// <summary>What happened to one instance of a DOWN host.</summary>
public sealed record Evacuation(string InstanceId, string? NewHostId, string? Error);

/// <summary>
/// Restarts the VMs of a DOWN host elsewhere: each instance's claim is released and placed again
/// through <see cref="ClaimStore"/> (one atomic txn per claim, so concurrent placements never
/// overbook), then Instance.host_id and its ports' host_id move to the new host, whose session picks
/// the VM up from the store watch. Instances that fit nowhere, or whose disks are local to the dead
/// host (their data is there), go ERROR with the reason and no host. Idempotent: running it again
/// only touches instances still on the dead host. Hosts and instances become placement input through
/// <see cref="HostCapacityMapping"/>, the mapping CreateInstance uses, so a host's overcommit ratios and
/// its core speed count here as they do for a new instance.
/// </summary>
public sealed partial class Evacuator(IKeyValueStore store, ClaimStore claims, ILogger<Evacuator> log)
{
    public async Task<IReadOnlyList<Evacuation>> EvacuateAsync(string downHost, CancellationToken ct)
    {
        var s = await ClusterSnapshot.LoadAsync(store, ct).ConfigureAwait(false);
        var hosts = s.Hosts.Values.Where(h => h.Inventory is not null).Select(h => HostCapacityMapping.ToCapacity(h, claims.Policy)).ToList();
        var results = new List<Evacuation>();
        foreach (var i in s.Instances.Values.Where(i => i.HostId == downHost && i.State != InstanceState.Deleting)
                     .OrderBy(i => i.Meta.Id, StringComparer.Ordinal))
        {
            var id = i.Meta.Id;
            var stuck = i.VolumeIds.Prepend(i.BootVolumeId)
                .Where(v => s.Volumes.TryGetValue(v, out var vol) && vol.HostId == downHost).Distinct().ToList();
            if (stuck.Count > 0)
            {
                var why = $"host {downHost} is down and volume(s) {string.Join(", ", stuck)} are local to it; restore from a snapshot or bring the host back";
                await SetAsync(id, downHost, null, InstanceState.Error, why, ct).ConfigureAwait(false);
                results.Add(new Evacuation(id, null, why));
                continue;
            }
            await claims.ReleaseAsync(id, ct).ConfigureAwait(false);
            var decision = await claims.PlaceAsync(hosts, HostCapacityMapping.Request(i), ct).ConfigureAwait(false);
            if (decision.Placed)
            {
                // The dead host may come back with the VM still running: it must remove it (a VM that is
                // merely absent from a host's desired state is left running). Written before the move, so
                // the move's rebuild of that host already carries it.
                if (VmTombstones.Put(downHost, id, DateTimeOffset.UtcNow) is { } tombstone) await store.PutAsync(tombstone, ct).ConfigureAwait(false);
                await SetAsync(id, downHost, decision.HostId, InstanceState.Scheduled, $"restarting on {decision.HostId}: host {downHost} went down", ct).ConfigureAwait(false);
                foreach (var pid in i.PortIds)
                    await ObjectStore.ChangeAsync(store, Kinds.Port, pid, p =>
                    {
                        if (p is null || p.HostId == decision.HostId) return null;
                        p.HostId = decision.HostId!;
                        return p;
                    }, ct).ConfigureAwait(false);
                LogMoved(log, id, downHost, decision.HostId!);
                results.Add(new Evacuation(id, decision.HostId, null));
            }
            else
            {
                var why = $"host {downHost} went down and no other host can take it: {decision.Error}";
                await SetAsync(id, downHost, "", InstanceState.Error, why, ct).ConfigureAwait(false);
                LogStranded(log, id, downHost, decision.Error ?? "");
                results.Add(new Evacuation(id, null, why));
            }
        }
        return results;
    }

    /// <summary>Moves the instance only if it is still on the dead host (the API may have deleted or moved it meanwhile).</summary>
    Task SetAsync(string id, string fromHost, string? toHost, InstanceState state, string reason, CancellationToken ct) =>
        ObjectStore.ChangeAsync(store, Kinds.Instance, id, i =>
        {
            if (i is null || i.HostId != fromHost || i.State == InstanceState.Deleting) return null;
            if (toHost is not null) i.HostId = toHost;
            i.State = state;
            i.StateReason = reason;
            return i;
        }, ct);
}
