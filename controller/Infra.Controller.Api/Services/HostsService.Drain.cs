using Infra.Controller.Model.Placement;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Core.Placement;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Drain: plan every move with placement as if the host were cordoned (each planned move counts
/// against its target before the next is planned), report blockers with placement's reason. A real
/// drain cordons the host, then moves each claim source->target in one transaction with the
/// instance's new host_id; the instances actually move when both hosts' agents apply their new
/// desired state (stop here, start there).
/// </summary>
public sealed partial class HostsService
{
    public override async Task<DrainHostResponse> DrainHost(DrainHostRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        var scope = TenantScope.Of(context);
        await Store.RequireToChangeAsync(Kinds.Host, cmd.Id, scope, ct);
        if (!cmd.DryRun) await SetCordonAsync(cmd.Id, true, "drained", scope, ct);
        var response = new DrainHostResponse();
        var instances = (await Store.AllAsync(Kinds.Instance, ct)).Where(i => i.HostId == cmd.Id).OrderBy(i => i.Meta.Id, StringComparer.Ordinal).ToList();
        var plan = await PlanAsync(cmd.Id, instances, ct);
        foreach (var (instance, target, reason) in plan)
        {
            if (target is null)
            {
                response.Blockers.Add(new DrainBlocker { InstanceId = instance.Meta.Id, Reason = reason! });
                continue;
            }
            if (!cmd.DryRun && !await MoveAsync(instance, cmd.Id, target, ct))
            {
                response.Blockers.Add(new DrainBlocker { InstanceId = instance.Meta.Id, Reason = $"{target} filled up or the instance changed while draining; run the drain again" });
                continue;
            }
            response.Moves.Add(new DrainMove { InstanceId = instance.Meta.Id, TargetHostId = target });
        }
        return response;
    }

    async Task<List<(Instance Instance, string? Target, string? Reason)>> PlanAsync(string hostId, List<Instance> instances, CancellationToken ct)
    {
        var policy = api.Options.EffectivePlacement;
        var hosts = (await Store.AllAsync(Kinds.Host, ct))
            .Select(h => HostCapacityMapping.ToCapacity(h, policy) is var c && h.Meta.Id == hostId ? c with { Cordoned = true } : c).ToList();
        var moving = instances.Select(i => i.Meta.Id).ToHashSet();
        var claims = (await api.Claims.ListAsync(ct)).Where(c => !moving.Contains(c.InstanceId)).ToList();
        var index = new PlacementIndex(hosts, claims, policy);
        var result = new List<(Instance, string?, string?)>();
        foreach (var i in instances)
        {
            var request = HostCapacityMapping.Request(i);
            var decision = index.Decide(request);
            if (!decision.Placed) { result.Add((i, null, decision.Error)); continue; }
            index.Apply(Claim.For(request, decision.HostId!));
            result.Add((i, decision.HostId, null));
        }
        return result;
    }

    async Task<bool> MoveAsync(Instance planned, string source, string target, CancellationToken ct)
    {
        var ledger = new ClaimLedger(Store);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var instance = await Store.GetAsync(Kinds.Instance, planned.Meta.Id, ct);
            if (instance is null || instance.Value.HostId != source) return false;
            var (srcRev, srcClaims) = await ledger.ReadAsync(source, ct);
            var (dstRev, dstClaims) = await ledger.ReadAsync(target, ct);
            var claim = srcClaims.FirstOrDefault(c => c.InstanceId == planned.Meta.Id)
                ?? Claim.For(HostCapacityMapping.Request(instance.Value), source);
            // The plan was made on a snapshot: check the target still has room next to its current claims.
            var targetHost = await Store.GetAsync(Kinds.Host, target, ct);
            if (targetHost is null) return false;
            var fits = Placer.Decide([HostCapacityMapping.ToCapacity(targetHost.Value, api.Options.EffectivePlacement)], dstClaims,
                HostCapacityMapping.Request(instance.Value), api.Options.EffectivePlacement);
            if (!fits.Placed) return false;
            srcClaims.RemoveAll(c => c.InstanceId == planned.Meta.Id);
            dstClaims.Add(claim with { HostId = target });
            var next = instance.Value.Clone();
            next.HostId = target;
            next.State = Infra.V1.InstanceState.Scheduled;
            next.StateReason = $"moving from host {source} (drain); starts when host {target}'s agent applies it";
            next.Meta.UpdateTime = Store.Now();
            var r = await Store.TxnAsync(
                [ClaimLedger.Unchanged(source, srcRev), ClaimLedger.Unchanged(target, dstRev), ObjectStore.Unchanged(Kinds.Instance, instance)],
                [ClaimLedger.Write(source, srcClaims), ClaimLedger.Write(target, dstClaims), ObjectStore.Put(Kinds.Instance, next),
                 // The source's agent must remove the VM: absence from its desired state alone leaves it running.
                 Infra.Controller.Southbound.Desired.VmTombstones.Put(source, planned.Meta.Id, DateTimeOffset.UtcNow)!], ct);
            if (r.Succeeded) return true;
        }
        return false;
    }
}
