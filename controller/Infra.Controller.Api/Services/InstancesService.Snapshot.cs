using Infra.Controller.Api.Commands;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Lifecycle;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// SnapshotInstance: one snapshot per volume (boot first) taken at one instant by the instance's host
/// (guest filesystems frozen through the guest agent when it answers). See <see cref="SnapshotTaker"/>
/// for what the records become on success, refusal and unknown outcome.
/// </summary>
public sealed partial class InstancesService
{
    SnapshotTaker? _snapshotTaker;
    SnapshotTaker Snapshots => _snapshotTaker ??= new SnapshotTaker(Store, new AgentCalls(commands, api.Options));

    public override async Task<SnapshotInstanceResponse> SnapshotInstance(SnapshotInstanceRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var current = await Store.RequireToChangeAsync(Kinds.Instance, cmd.Id, scope, ct);
        var i = current.Value;
        var requestKey = cmd.RequestId is null ? null : StoreLayout.Request(i.TenantId, nameof(SnapshotInstance), cmd.RequestId);
        if (requestKey is not null && await Store.GetStringAsync(requestKey, ct) is { } group)
            return await ReplayGroupAsync(i, group, cmd.RequireQuiesce, requestKey, context);
        var (status, _) = await StatusAsync(i, ct);
        var decision = InstanceLifecycle.Apply(cmd.Id, status, new InstanceAction.Snapshot());
        if (!decision.Allowed) throw ApiErrors.Of(decision.Refusal!);
        if (i.HostId.Length == 0)
            throw ApiErrors.Precondition("INSTANCE_NOT_PLACED", cmd.Id, $"instance {cmd.Id} is not on a host yet, so its volumes have no data to snapshot");
        var groupId = Domain.Model.ResourceId.New(Domain.Model.IdKind.Snapshot).Replace("snp-", "grp-", StringComparison.Ordinal);
        var compares = new List<Compare> { ObjectStore.Unchanged(Kinds.Instance, current) };
        var ops = new List<RequestOp>();
        if (requestKey is not null) { compares.Add(Compare.Absent(requestKey)); ops.Add(ObjectStore.PutString(requestKey, groupId)); }
        var snapshots = new List<Snapshot>();
        foreach (var volumeId in i.VolumeIds.Prepend(i.BootVolumeId).Where(v => v.Length > 0))
        {
            var v = await Store.RequireAsync(Kinds.Volume, volumeId, scope, ct);
            var snapshot = VolumesService.NewSnapshot(v.Value, $"{cmd.NamePrefix}-{v.Value.Meta.Name}", groupId, Store.Now());
            compares.Add(ObjectStore.Unchanged(Kinds.Volume, v));
            ops.Add(ObjectStore.Put(Kinds.Snapshot, snapshot));
            VolumesService.SnapshotKeys(snapshot, ops);
            snapshots.Add(snapshot);
        }
        if (snapshots.Count == 0)
            throw ApiErrors.Precondition("NO_VOLUMES", cmd.Id, $"instance {cmd.Id} has no volumes to snapshot");
        var r = await Store.TxnAsync(compares, ops, ct);
        if (!r.Succeeded)
        {
            if (requestKey is not null && await Store.GetStringAsync(requestKey, ct) is { } raced)
                return await ReplayGroupAsync(i, raced, cmd.RequireQuiesce, requestKey, context);
            throw ApiErrors.Contended($"snapshotting instance {cmd.Id}");
        }
        return await Snapshots.RunAsync(new SnapshotJob(groupId, i.HostId, i.Meta.Id, snapshots, cmd.RequireQuiesce, requestKey, $"instance {cmd.Id}"), context);
    }

    /// <summary>A retry of a request_id: the group as it is when settled, else the same command again (idempotent on the agent).</summary>
    async Task<SnapshotInstanceResponse> ReplayGroupAsync(Instance i, string groupId, bool requireQuiesce, string requestKey, ServerCallContext context)
    {
        var snapshots = (await Store.AllAsync(Kinds.Snapshot, context.CancellationToken)).Where(s => s.GroupId == groupId).ToList();
        if (snapshots.Count > 0 && snapshots.Any(s => s.State == VolumeState.Creating) && i.HostId.Length > 0)
        {
            // Boot volume first, as the first attempt sent them.
            var order = i.VolumeIds.Prepend(i.BootVolumeId).ToList();
            snapshots = snapshots.OrderBy(s => order.IndexOf(s.VolumeId) is var n and >= 0 ? n : int.MaxValue).ToList();
            return await Snapshots.RunAsync(new SnapshotJob(groupId, i.HostId, i.Meta.Id, snapshots, requireQuiesce, requestKey, $"instance {i.Meta.Id}"), context);
        }
        var response = new SnapshotInstanceResponse { Quiesced = snapshots.Count > 0 && snapshots.All(s => s.Quiesced) };
        response.Snapshots.AddRange(snapshots);
        return response;
    }
}
