namespace Infra.Store;

/// <summary>
/// The controller's durable state, modelled on etcd v3 so that SQLite (single node) and etcd (HA)
/// are interchangeable.
///
/// Model: a sorted map of byte keys. Every write advances one global revision; each key records the
/// revision that created it (CreateRevision, reset when deleted and re-created), last modified it
/// (ModRevision) and how many times it was written since creation (Version). History of past
/// revisions is kept until compacted, which is what makes reads at a revision and resumable watches
/// possible. Transactions compare key fields and then run one of two op lists atomically: the basis
/// of every optimistic-concurrency loop in the controller (read, compute, txn-if-unchanged, retry).
/// Leases are TTL'd handles; keys attached to a lease vanish (as one delete revision) when it expires
/// or is revoked: the basis of liveness and leader election.
///
/// Every method maps to one etcd RPC: Range/Put/DeleteRange/Txn/Compact (KV service), Watch (Watch
/// service, one watch per call), LeaseGrant/LeaseRevoke/LeaseKeepAlive/LeaseTimeToLive (Lease service).
/// </summary>
public interface IKeyValueStore : IAsyncDisposable
{
    Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct = default);
    Task<PutResponse> PutAsync(PutRequest request, CancellationToken ct = default);
    Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken ct = default);
    Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken ct = default);

    /// <summary>Discard history before <paramref name="revision"/>; reads and watches below it then fail.</summary>
    Task<CompactResponse> CompactAsync(long revision, CancellationToken ct = default);

    /// <summary>
    /// Stream of changes; ends only when <paramref name="ct"/> is cancelled (the enumeration then stops
    /// without an exception) or with <see cref="CompactedException"/> when the start revision is gone.
    /// </summary>
    IAsyncEnumerable<WatchResponse> WatchAsync(WatchRequest request, CancellationToken ct = default);

    Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken ct = default);

    /// <summary>Revoke and delete every key attached. Throws <see cref="LeaseNotFoundException"/>.</summary>
    Task LeaseRevokeAsync(long leaseId, CancellationToken ct = default);

    /// <summary>Refresh the lease's TTL. Throws <see cref="LeaseNotFoundException"/> when it has expired.</summary>
    Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(long leaseId, CancellationToken ct = default);

    Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long leaseId, bool withKeys = false, CancellationToken ct = default);
}
