using Infra.Controller.Model.Placement;
using System.Text.Json;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Core.Placement;
using Infra.Store;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Direct edits of placement claims for the two cases the claim store's place/release does not
/// cover: resizing a claim in place (live cpu_mhz changes) and moving claims between hosts (drain).
/// Same key format as <see cref="ClaimStore"/> (a JSON list of claims per host), guarded by the
/// key's mod revision so concurrent placements are never lost.
/// </summary>
public sealed class ClaimLedger(ObjectStore store)
{
    public async Task<(long ModRevision, List<Claim> Claims)> ReadAsync(string hostId, CancellationToken ct)
    {
        var kv = await store.Kv.GetAsync(StoreLayout.ClaimsRoot + hostId, ct);
        return kv is null ? (0, []) : (kv.ModRevision, JsonSerializer.Deserialize<List<Claim>>(kv.Value) ?? []);
    }

    public static RequestOp Write(string hostId, List<Claim> claims) =>
        new PutRequest(Keys.Of(StoreLayout.ClaimsRoot + hostId), JsonSerializer.SerializeToUtf8Bytes(claims));

    public static Compare Unchanged(string hostId, long modRevision) =>
        Compare.ModRevision(StoreLayout.ClaimsRoot + hostId, CompareResult.Equal, modRevision);

    /// <summary>
    /// Plans replacing an instance's claim on its host with a resized one: the compare and put to
    /// commit together with the instance's own update (so a lost race changes neither), or the reason
    /// the host has no room.
    /// </summary>
    public async Task<(Compare? Compare, RequestOp? Write, string? Error)> PlanResizeAsync(Infra.V1.Host host, PlacementPolicy policy, Claim resized, CancellationToken ct)
    {
        var (rev, claims) = await ReadAsync(host.Meta.Id, ct);
        var others = claims.Where(c => c.InstanceId != resized.InstanceId).ToList();
        // Ask placement whether the resized claim fits next to the others; cordoning must not block a resize in place.
        var capacity = HostCapacityMapping.ToCapacity(host, policy) with { Cordoned = false };
        var decision = Placer.Decide([capacity], others,
            new PlacementRequest(resized.InstanceId, resized.Vcpus, resized.CpuMhz, resized.MemoryMiB, resized.Storage), policy);
        if (!decision.Placed) return (null, null, decision.Error);
        others.Add(resized);
        return (Unchanged(host.Meta.Id, rev), Write(host.Meta.Id, others), null);
    }
}
