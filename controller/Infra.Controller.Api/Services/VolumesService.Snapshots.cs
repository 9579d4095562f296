using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Validation;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Controller.Api.Services;

public sealed partial class VolumesService
{
    public override async Task<Snapshot> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var volume = await Store.RequireAsync(Kinds.Volume, cmd.VolumeId, ct);
        var tenantId = volume.Value.TenantId;
        if (await Store.ReplayAsync(Kinds.Snapshot, tenantId, nameof(CreateSnapshot), cmd.RequestId, ct) is { } replay) return replay;
        var snapshot = VolumesService.NewSnapshot(volume.Value, cmd.Name, "", Store.Now());
        snapshot.Meta.Labels.Add(cmd.Labels.Items);
        var plan = new CreatePlan { Scope = tenantId, Method = nameof(CreateSnapshot), RequestId = cmd.RequestId };
        plan.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, volume));
        SnapshotKeys(snapshot, plan.Ops);
        return (await Store.CreateAsync(Kinds.Snapshot, snapshot, plan, ct)).Value;
    }

    public override async Task<Snapshot> GetSnapshot(GetSnapshotRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Snapshot, cmd.Id, context.CancellationToken)).Value;
    }

    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var (items, page) = await Paging.ListAsync(Store, Kinds.Snapshot, cmd.Page, s =>
            (cmd.TenantId is null || s.TenantId == cmd.TenantId) && (cmd.VolumeId is null || s.VolumeId == cmd.VolumeId), context.CancellationToken);
        var response = new ListSnapshotsResponse { Page = page };
        response.Snapshots.AddRange(items);
        return response;
    }

    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        var current = await Store.RequireAsync(Kinds.Snapshot, cmd.Id, ct);
        var s = current.Value;
        var plan = new CreatePlanOps();
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(s.TenantId, Kinds.Snapshot.Segment, s.Meta.Id)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Volume.Segment, s.VolumeId, Kinds.Snapshot.Segment, s.Meta.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.Snapshot, current, plan, ct) ?? throw ApiErrors.Contended($"deleting snapshot {cmd.Id}");
        return new DeleteSnapshotResponse { Revision = revision };
    }

    /// <summary>
    /// Volume data lives on the hosts, not on the controller: the export has to be served by the
    /// agent holding the volume (qemu-storage-daemon), which the southbound protocol does not carry yet.
    /// Answer UNAVAILABLE after checking the source exists, so clients see NOT_FOUND for a typo.
    /// </summary>
    public override async Task ExportVolume(ExportVolumeRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(SnapshotValidation.Validate(request));
        switch (cmd.Source)
        {
            case Domain.Commands.ExportSource.Volume v: await Store.RequireAsync(Kinds.Volume, v.VolumeId, ct); break;
            case Domain.Commands.ExportSource.Snapshot s: await Store.RequireAsync(Kinds.Snapshot, s.SnapshotId, ct); break;
        }
        throw new RpcException(new Status(StatusCode.Unavailable,
            "export runs on the agent that holds the volume; not wired yet (the southbound protocol has no export stream). Copy the file on the host with qemu-img convert -O raw meanwhile."));
    }
}
