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
/// Each attempt rebuilds a <see cref="PlacementIndex"/> from one consistent read; a long-running
/// scheduler can instead keep an index fed by a watch on the prefix and use this class for commits.
/// </summary>
public sealed class ClaimStore(IKeyValueStore store, PlacementPolicy policy, string root = "/placement/claims/")
{
    public const int MaxAttempts = 64;

    string Key(string hostId) => root + hostId;

    /// <summary>Choose a host and commit the claim atomically; returns the decision (with the reason when none fits).</summary>
    public async Task<PlacementDecision> PlaceAsync(IReadOnlyList<HostCapacity> hosts, PlacementRequest request, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var snapshot = await ReadAsync(ct).ConfigureAwait(false);
            var index = new PlacementIndex(hosts, snapshot.Values.SelectMany(v => v.Claims), policy);
            var decision = index.Decide(request);
            if (!decision.Placed) return decision;
            var host = decision.HostId!;
            var (modRev, claims) = snapshot.GetValueOrDefault(host, (0, []));
            if (claims.Any(c => c.InstanceId == request.InstanceId)) return decision; // already placed: idempotent
            var updated = claims.Append(Claim.For(request, host)).ToList();
            if (await TryWriteAsync(host, modRev, updated, ct).ConfigureAwait(false)) return decision;
            // Lost the race for this host: someone changed its claims; decide again on fresh state.
        }
        return new PlacementDecision(null, $"placement of {request.InstanceId} kept conflicting with concurrent placements ({MaxAttempts} attempts); retry", new Dictionary<Rejection, int>());
    }

    /// <summary>Remove an instance's claim wherever it is; false when it had none.</summary>
    public async Task<bool> ReleaseAsync(string instanceId, CancellationToken ct = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var snapshot = await ReadAsync(ct).ConfigureAwait(false);
            var owner = snapshot.FirstOrDefault(kv => kv.Value.Claims.Any(c => c.InstanceId == instanceId));
            if (owner.Key is null) return false;
            var rest = owner.Value.Claims.Where(c => c.InstanceId != instanceId).ToList();
            if (await TryWriteAsync(owner.Key, owner.Value.ModRevision, rest, ct).ConfigureAwait(false)) return true;
        }
        throw new InvalidOperationException($"releasing {instanceId} kept conflicting ({MaxAttempts} attempts)");
    }

    public async Task<IReadOnlyList<Claim>> ListAsync(CancellationToken ct = default) =>
        (await ReadAsync(ct).ConfigureAwait(false)).Values.SelectMany(v => v.Claims).ToList();

    async Task<Dictionary<string, (long ModRevision, List<Claim> Claims)>> ReadAsync(CancellationToken ct)
    {
        var r = await store.RangeAsync(RangeRequest.Prefix(root), ct).ConfigureAwait(false);
        return r.Kvs.ToDictionary(
            kv => kv.KeyString[root.Length..],
            kv => (kv.ModRevision, JsonSerializer.Deserialize<List<Claim>>(kv.Value) ?? []));
    }

    async Task<bool> TryWriteAsync(string hostId, long modRevision, List<Claim> claims, CancellationToken ct)
    {
        var key = Key(hostId);
        // ModRevision 0 matches a host with no claims key yet (a missing key's revisions are 0).
        var put = new PutRequest(Keys.Of(key), JsonSerializer.SerializeToUtf8Bytes(claims));
        var r = await store.TxnAsync(new TxnRequest([Compare.ModRevision(key, CompareResult.Equal, modRevision)], [put]), ct).ConfigureAwait(false);
        return r.Succeeded;
    }
}
