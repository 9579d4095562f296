using Infra.Controller.Api.Commands;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Snapshots of one volume, taken and deleted by the agent of the volume's host (see
/// <see cref="SnapshotTaker"/> for how records follow the agent's answer).
/// </summary>
public sealed partial class VolumesService
{
    AgentCalls? _agents;
    AgentCalls Agents => _agents ??= new AgentCalls(commands, api.Options);

    public override async Task<Snapshot> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var volume = await Store.RequireToChangeAsync(Kinds.Volume, cmd.VolumeId, TenantScope.Of(context), ct);
        var v = volume.Value;
        var tenantId = v.TenantId;
        var requestKey = cmd.RequestId is null ? null : StoreLayout.Request(tenantId, nameof(CreateSnapshot), cmd.RequestId);
        var host = await VolumeHosts.OfAsync(Store, v, ct);
        if (await Store.ReplayAsync(Kinds.Snapshot, tenantId, nameof(CreateSnapshot), cmd.RequestId, ct) is { } replay)
            return replay.State == VolumeState.Creating && host.Length > 0 ? await TakeAsync(replay, v, host, requestKey, context) : replay;
        if (host.Length == 0) throw VolumeHosts.Unplaced(cmd.VolumeId, "snapshot");
        var snapshot = NewSnapshot(v, cmd.Name, "", Store.Now());
        snapshot.Meta.Labels.Add(cmd.Labels.Items);
        var plan = new CreatePlan { Scope = tenantId, Method = nameof(CreateSnapshot), RequestId = cmd.RequestId };
        plan.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, volume));
        SnapshotKeys(snapshot, plan.Ops);
        var (created, outcome) = await Store.CreateAsync(Kinds.Snapshot, snapshot, plan, ct);
        if (outcome == CreateOutcome.Replayed && created.State != VolumeState.Creating) return created;
        return await TakeAsync(created, v, host, requestKey, context);
    }

    async Task<Snapshot> TakeAsync(Snapshot s, Volume v, string host, string? requestKey, ServerCallContext context)
    {
        var job = new SnapshotJob(s.Meta.Id, host, v.AttachedInstanceId, [s], false, requestKey, $"volume {v.Meta.Id}");
        var taken = await new SnapshotTaker(Store, Agents).RunAsync(job, context);
        return taken.Snapshots[0];
    }

    public override async Task<Snapshot> GetSnapshot(GetSnapshotRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Snapshot, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Snapshot, cmd.Page, scope, s =>
            (tenant is null || s.TenantId == tenant) && (cmd.VolumeId is null || s.VolumeId == cmd.VolumeId), context.CancellationToken);
        var response = new ListSnapshotsResponse { Page = page };
        response.Snapshots.AddRange(items);
        return response;
    }

    /// <summary>
    /// Refused while a volume was created from the snapshot (its copy may still be reading it); else the
    /// host deletes the snapshot's data first and the record goes after, so a failed host-side delete
    /// leaves the record to retry with. A snapshot whose volume is on no host has no data to delete.
    /// </summary>
    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Snapshot, cmd.Id, TenantScope.Of(context), ct);
        var s = current.Value;
        var users = StoreLayout.RefPrefix(Kinds.Snapshot.Segment, cmd.Id);
        var copies = (await Store.KeysUnderAsync(users, ct)).Select(k => k.Split('/')[^1])
            .Concat((await Store.AllAsync(Kinds.Volume, ct)).Where(v => v.SourceSnapshotId == cmd.Id).Select(v => v.Meta.Id))
            .Distinct().Order().ToList();
        if (copies.Count > 0)
            throw ApiErrors.Precondition("SNAPSHOT_IN_USE", cmd.Id,
                $"snapshot {cmd.Id} is the source of volume(s) {string.Join(", ", copies)}; delete those volumes first");
        if (await Store.GetAsync(Kinds.Volume, s.VolumeId, ct) is { } volume && await VolumeHosts.OfAsync(Store, volume.Value, ct) is { Length: > 0 } host)
        {
            var command = new Command { Id = AgentCalls.NewId("del"), DeleteSnapshot = new DeleteSnapshotCommand { VolumeId = s.VolumeId, SnapshotId = cmd.Id } };
            var result = await Agents.RunOnceAsync(host, command, context);
            if (result.Error.Length > 0) throw ApiErrors.Of(AgentFailure.Delete(cmd.Id, host, result.Error));
        }
        var plan = new CreatePlanOps();
        plan.Compares.Add(new Compare(Keys.Of(users), CompareTarget.CreateRevision, CompareResult.Equal, 0, RangeEnd: Keys.PrefixEnd(users)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(s.TenantId, Kinds.Snapshot.Segment, s.Meta.Id)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Volume.Segment, s.VolumeId, Kinds.Snapshot.Segment, s.Meta.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.Snapshot, current, plan, ct) ?? throw ApiErrors.Contended($"deleting snapshot {cmd.Id}");
        return new DeleteSnapshotResponse { Revision = revision };
    }
}
