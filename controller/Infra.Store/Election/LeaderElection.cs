using System.Text;

namespace Infra.Store.Election;

/// <summary>
/// Leader election built only on <see cref="IKeyValueStore"/>, the algorithm of etcd's
/// clientv3/concurrency: each candidate creates "prefix/lease-id" under its own lease (txn
/// create-if-absent); candidates queue by CreateRevision, and the one with the lowest revision leads.
/// A waiting candidate watches the prefix until every key created before its own is gone. Leadership
/// lasts while the lease is kept alive: if the process dies its key expires with the lease and the
/// next candidate takes over; if the store says the lease is gone, <see cref="Leadership.Lost"/> fires
/// and the holder must stop its singleton work at once.
/// </summary>
public sealed class LeaderElection(IKeyValueStore store, string prefix, TimeSpan ttl, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly string _prefix = prefix.EndsWith('/') ? prefix : prefix + "/";

    /// <summary>Block until this candidate leads; <paramref name="value"/> names it to observers.</summary>
    public async Task<Leadership> CampaignAsync(string value, CancellationToken ct)
    {
        var ttlSeconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        var lease = await store.LeaseGrantAsync(new LeaseGrantRequest(ttlSeconds), ct).ConfigureAwait(false);
        var leadership = new Leadership(store, _prefix + lease.Id.ToString("x16"), lease.Id, ttl, _time);
        try
        {
            var key = leadership.Key;
            var txn = await store.TxnAsync(new TxnRequest(
                [Compare.Absent(key)],
                [PutRequest.Of(key, value, lease.Id)],
                [RangeRequest.Single(key)]), ct).ConfigureAwait(false);
            var myRev = txn.Succeeded ? txn.Header.Revision : txn.Responses[0].Range!.Kvs[0].CreateRevision;
            leadership.Start(myRev);
            await WaitForPredecessorsAsync(myRev, leadership, ct).ConfigureAwait(false);
            return leadership;
        }
        catch
        {
            await leadership.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    async Task WaitForPredecessorsAsync(long myRev, Leadership leadership, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, leadership.Lost);
        while (true)
        {
            var r = await store.RangeAsync(RangeRequest.Prefix(_prefix), linked.Token).ConfigureAwait(false);
            if (!r.Kvs.Any(kv => kv.KeyString == leadership.Key))
                throw new LeadershipLostException($"candidate key {leadership.Key} vanished while waiting (lease expired?)");
            if (!r.Kvs.Any(kv => kv.CreateRevision < myRev)) return;
            // Wait for any delete under the prefix after what we just read, then look again.
            await foreach (var w in store.WatchAsync(WatchRequest.Prefix(_prefix, r.Header.Revision + 1), linked.Token).ConfigureAwait(false))
            {
                if (w.Events.Any(e => e.Type == EventType.Delete)) break;
            }
            linked.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The current leader's value, or null when nobody campaigns.</summary>
    public async Task<string?> GetLeaderAsync(CancellationToken ct = default)
    {
        var r = await store.RangeAsync(RangeRequest.Prefix(_prefix), ct).ConfigureAwait(false);
        var leader = r.Kvs.OrderBy(kv => kv.CreateRevision).FirstOrDefault();
        return leader is null ? null : Encoding.UTF8.GetString(leader.Value);
    }
}

public sealed class LeadershipLostException(string message) : Exception(message);
