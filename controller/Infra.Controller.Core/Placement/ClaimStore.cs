using System.Text.Json;
using Infra.Store;

namespace Infra.Controller.Core.Placement;

/// <summary>
/// Claims kept in the store, one key per host ({root}{hostId} = JSON list of that host's claims), so
/// committing a placement is a single txn guarded by that key's ModRevision: if any other controller
/// or request changed the host's claims since we read them, the txn fails and we decide again from a
/// fresh view. Two placements can therefore never both take the last room on a host, whichever
/// replica runs them.
///
/// The view is cached: a <see cref="PlacementIndex"/> plus each host's claims and ModRevision. Before
/// deciding, only host keys changed since the last sync are read (Range with MinModRevision), so a
/// placement costs O(changed hosts), not O(hosts). Claim keys are never deleted (a host with no claims
/// holds an empty list), which is what makes "changed since" complete. One instance serializes its
/// own callers; concurrency across instances and replicas is what the txn guards.
/// </summary>
public sealed class ClaimStore(IKeyValueStore store, PlacementPolicy policy, string root = ClaimStore.DefaultRoot)
{
    public const int MaxAttempts = 64;
    /// <summary>The claims root the API and the evacuator share (StoreLayout.ClaimsRoot in Infra.Controller.Model).</summary>
    public const string DefaultRoot = "/infra/v1/claims/";

    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<string, (long ModRevision, List<Claim> Claims)> _view = [];
    IReadOnlyList<HostCapacity>? _hosts;
    PlacementIndex? _index;
    long _syncedRevision;

    /// <summary>The policy capacities are counted with; callers that map hosts into capacities use the same one.</summary>
    public PlacementPolicy Policy => policy;

    string Key(string hostId) => root + hostId;

    /// <summary>
    /// Choose a host and commit the claim atomically; returns the decision (with the reason when none
    /// fits). Pass the same hosts list instance while the inventory is unchanged; a new list rebuilds
    /// the view.
    /// </summary>
    public async Task<PlacementDecision> PlaceAsync(IReadOnlyList<HostCapacity> hosts, PlacementRequest request, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var index = await SyncAsync(hosts, ct).ConfigureAwait(false);
                var decision = index.Decide(request);
                if (!decision.Placed) return decision;
                var host = decision.HostId!;
                var (modRev, claims) = _view.GetValueOrDefault(host, (0, []));
                if (claims.Any(c => c.InstanceId == request.InstanceId)) return decision; // already placed: idempotent
                var claim = Claim.For(request, host);
                var updated = claims.Append(claim).ToList();
                var committed = await TryWriteAsync(host, modRev, updated, ct).ConfigureAwait(false);
                if (committed is { } rev)
                {
                    _view[host] = (rev, updated);
                    index.Apply(claim);
                    return decision;
                }
                // Lost the race for this host: the next sync reads what changed, then we decide again.
            }
            return new PlacementDecision(null, $"placement of {request.InstanceId} kept conflicting with concurrent placements ({MaxAttempts} attempts); retry", new Dictionary<Rejection, int>());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Remove an instance's claim wherever it is; false when it had none.</summary>
    public async Task<bool> ReleaseAsync(string instanceId, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var snapshot = await ReadAllAsync(ct).ConfigureAwait(false);
            var owner = snapshot.Hosts.FirstOrDefault(kv => kv.Value.Claims.Any(c => c.InstanceId == instanceId));
            if (owner.Key is null) return false;
            var rest = owner.Value.Claims.Where(c => c.InstanceId != instanceId).ToList();
            if (await TryWriteAsync(owner.Key, owner.Value.ModRevision, rest, ct).ConfigureAwait(false) is not null) return true;
        }
        throw new InvalidOperationException($"releasing {instanceId} kept conflicting ({MaxAttempts} attempts)");
    }

    public async Task<IReadOnlyList<Claim>> ListAsync(CancellationToken ct = default) =>
        (await ReadAllAsync(ct).ConfigureAwait(false)).Hosts.Values.SelectMany(v => v.Claims).ToList();

    async Task<PlacementIndex> SyncAsync(IReadOnlyList<HostCapacity> hosts, CancellationToken ct)
    {
        if (_index is not null && ReferenceEquals(hosts, _hosts))
        {
            var r = await store.RangeAsync(new RangeRequest(Keys.Of(root), Keys.PrefixEnd(root), MinModRevision: _syncedRevision + 1), ct).ConfigureAwait(false);
            try
            {
                var changed = r.Kvs.Select(kv => (Host: kv.KeyString[root.Length..], kv.ModRevision, Claims: Decode(kv))).ToList();
                // Release every old claim of the changed hosts before applying new ones, so an instance
                // that moved between two changed hosts is never counted twice.
                foreach (var (host, _, _) in changed)
                    if (_view.TryGetValue(host, out var old)) foreach (var c in old.Claims) _index.Release(c.InstanceId);
                foreach (var (host, rev, claims) in changed)
                {
                    _view[host] = (rev, claims);
                    foreach (var c in claims) _index.Apply(c);
                }
                _syncedRevision = r.Header.Revision;
                return _index;
            }
            catch (InvalidOperationException)
            {
                // The incremental view disagrees with the store (e.g. a claim listed on two hosts): rebuild.
            }
        }
        var all = await ReadAllAsync(ct).ConfigureAwait(false);
        _view.Clear();
        foreach (var (host, v) in all.Hosts) _view[host] = v;
        _index = new PlacementIndex(hosts, _view.Values.SelectMany(v => v.Claims), policy);
        _hosts = hosts;
        _syncedRevision = all.Revision;
        return _index;
    }

    async Task<(long Revision, Dictionary<string, (long ModRevision, List<Claim> Claims)> Hosts)> ReadAllAsync(CancellationToken ct)
    {
        var r = await store.RangeAsync(RangeRequest.Prefix(root), ct).ConfigureAwait(false);
        return (r.Header.Revision, r.Kvs.ToDictionary(kv => kv.KeyString[root.Length..], kv => (kv.ModRevision, Decode(kv))));
    }

    static List<Claim> Decode(KeyValue kv) => JsonSerializer.Deserialize<List<Claim>>(kv.Value) ?? [];

    /// <summary>Commit the host's new claim list if nobody changed it since modRevision; the new revision, or null.</summary>
    async Task<long?> TryWriteAsync(string hostId, long modRevision, List<Claim> claims, CancellationToken ct)
    {
        var key = Key(hostId);
        // ModRevision 0 matches a host with no claims key yet (a missing key's revisions are 0).
        var put = new PutRequest(Keys.Of(key), JsonSerializer.SerializeToUtf8Bytes(claims));
        var r = await store.TxnAsync(new TxnRequest([Compare.ModRevision(key, CompareResult.Equal, modRevision)], [put]), ct).ConfigureAwait(false);
        return r.Succeeded ? r.Header.Revision : null;
    }
}
