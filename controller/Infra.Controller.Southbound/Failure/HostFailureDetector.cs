using Infra.Controller.Southbound.Cluster;
using Infra.Store;
using Infra.Store.Election;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

/// <summary>A host's liveness change made by one check.</summary>
public sealed record HostTransition(string HostId, HostState From, HostState To);

/// <summary>
/// Singleton work of the controller cluster: only the elected leader (store election under
/// <see cref="StoreLayout.DetectorElection"/>) looks at heartbeats, so two replicas never evacuate the
/// same host. Every <see cref="SouthboundOptions.DetectorInterval"/> on the injected clock it applies
/// <see cref="HostLiveness"/> to every host (each change a guarded write, so a heartbeat landing at
/// the same moment wins) and evacuates DOWN hosts that still own instances — including ones a
/// previous leader declared DOWN but died before finishing.
/// After a controller start and after every leadership change each host gets a full window of
/// heartbeats before anything is declared: silence while no detector was watching (the controller
/// down longer than the failure timeout) is not the host's, and the agents need a moment to reconnect.
/// </summary>
public sealed partial class HostFailureDetector(
    IKeyValueStore store, Evacuator evacuator, SouthboundOptions options, TimeProvider time, ILogger<HostFailureDetector> log)
{
    // When this detector started watching; reset on every leadership won (see HostLiveness).
    DateTimeOffset _watchingSince = time.GetUtcNow();

    /// <summary>Campaign, then check periodically while leading; campaign again after losing the lead.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var election = new LeaderElection(store, StoreLayout.DetectorElection, options.LeaderLeaseTtl);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var leadership = await election.CampaignAsync(options.ControllerId, ct).ConfigureAwait(false);
                _watchingSince = time.GetUtcNow();
                LogLeading(log, options.ControllerId);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, leadership.Lost);
                while (!linked.IsCancellationRequested)
                {
                    await CheckOnceAsync(linked.Token).ConfigureAwait(false);
                    await Task.Delay(options.DetectorInterval, time, linked.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLeadLost(log, e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>One pass: apply liveness transitions, then evacuate every DOWN host that still has instances.</summary>
    public async Task<IReadOnlyList<HostTransition>> CheckOnceAsync(CancellationToken ct)
    {
        var s = await ClusterSnapshot.LoadAsync(store, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var since = _watchingSince;
        var changes = new List<HostTransition>();
        foreach (var h in s.Hosts.Values.OrderBy(h => h.Meta?.Id, StringComparer.Ordinal))
        {
            if (HostLiveness.Next(h, now, options, since) is null) continue;
            var id = h.Meta.Id;
            HostState from = h.State, to = h.State;
            await ObjectStore.ChangeAsync(store, Kinds.Host, id, cur =>
            {
                // Decide again on the fresh object: a heartbeat may have landed since the snapshot.
                if (cur is null || HostLiveness.Next(cur, now, options, since) is not { } next) return null;
                (from, to) = (cur.State, next);
                cur.State = next;
                return cur;
            }, ct).ConfigureAwait(false);
            if (from == to) continue;
            changes.Add(new HostTransition(id, from, to));
            LogTransition(log, id, from, to, h.LastHeartbeat?.ToDateTimeOffset() ?? default);
        }

        var down = (await ClusterSnapshot.LoadAsync(store, ct).ConfigureAwait(false)).Hosts.Values
            .Where(h => h.State == HostState.Down).Select(h => h.Meta.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var hostId in down.Order(StringComparer.Ordinal))
            if (s.Instances.Values.Any(i => i.HostId == hostId && i.State != InstanceState.Deleting))
                await evacuator.EvacuateAsync(hostId, ct).ConfigureAwait(false);
        return changes;
    }
}
