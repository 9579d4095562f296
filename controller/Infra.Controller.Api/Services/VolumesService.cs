using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using Volume = Infra.V1.Volume;
using Snapshot = Infra.V1.Snapshot;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Volumes and snapshots as records: the bytes live on the hosts, where agents create, clone and
/// snapshot them from these records. Snapshots register a reference on their volume, so a volume
/// with snapshots is only deleted with cascade.
/// </summary>
public sealed partial class VolumesService(ApiContext api, Infra.Controller.Southbound.Commands.IHostCommands? commands = null) : Volumes.VolumesBase
{
    ObjectStore Store => api.Store;

    public override async Task<Volume> CreateVolume(CreateVolumeRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var scope = TenantScope.Of(context);
        request.TenantId = scope.ForCreate(request.TenantId);
        var cmd = ApiErrors.Valid(VolumeValidation.Validate(request));
        if (scope.TenantId is not null && request.Backend?.KindCase == Infra.V1.VolumeBackend.KindOneofCase.Nbd)
            throw ApiErrors.Of(new Domain.Errors.PermissionDenied("OPERATOR_BACKEND", CallPrincipal.Of(context).ToString(), context.Method,
                "an NBD backend reaches storage by URI, which only operators may set; leave backend empty for a local volume"));
        if (await Store.ReplayAsync(Kinds.Volume, cmd.TenantId, nameof(CreateVolume), cmd.RequestId, ct) is { } replay) return replay;
        var tenant = await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var volume = new Volume
        {
            Meta = new ObjectMeta { Id = ResourceId.New(IdKind.Volume), Name = cmd.Name },
            TenantId = cmd.TenantId,
            Backend = request.Backend?.Clone() ?? new Infra.V1.VolumeBackend { Local = new LocalBackend { Format = Infra.V1.DiskFormat.Qcow2 } },
            State = VolumeState.Available,
        };
        volume.Meta.Labels.Add(cmd.Labels.Items);
        var plan = new CreatePlan { Scope = cmd.TenantId, Method = nameof(CreateVolume), Name = cmd.Name, RequestId = cmd.RequestId };
        ulong sourceSize = 0;
        switch (cmd.Source)
        {
            case VolumeSource.Image img:
            {
                var image = (await Store.RequireAsync(Kinds.Image, img.ImageId, scope, ct)).Value;
                if (image.TenantId.Length > 0 && image.TenantId != cmd.TenantId)
                    throw ApiErrors.Invalid("image_id", $"image {img.ImageId} belongs to another tenant");
                volume.SourceImageId = img.ImageId;
                sourceSize = image.VirtualSizeBytes;
                break;
            }
            case VolumeSource.Snapshot snap:
            {
                var s = await Store.RequireAsync(Kinds.Snapshot, snap.SnapshotId, scope, ct);
                if (s.Value.TenantId != cmd.TenantId) throw ApiErrors.Invalid("snapshot_id", $"snapshot {snap.SnapshotId} belongs to another tenant");
                volume.SourceSnapshotId = snap.SnapshotId;
                sourceSize = s.Value.SizeBytes;
                plan.Compares.Add(ObjectStore.Unchanged(Kinds.Snapshot, s));
                // The copy is made where the snapshot's data is; the reference keeps the snapshot until the copy is deleted.
                if (await Store.GetAsync(Kinds.Volume, s.Value.VolumeId, ct) is { } origin)
                    volume.HostId = await Commands.VolumeHosts.OfAsync(Store, origin.Value, ct);
                plan.Ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.Snapshot.Segment, snap.SnapshotId, Kinds.Volume.Segment, volume.Meta.Id), ""));
                break;
            }
        }
        if (cmd.SizeBytes is { } size && size < sourceSize)
            throw ApiErrors.Invalid("size_gib", $"is smaller than the source ({sourceSize} bytes); give at least {(sourceSize + (1UL << 30) - 1) >> 30} GiB or 0 for the source's size");
        volume.SizeBytes = cmd.SizeBytes ?? sourceSize;
        NetworksService.Owned(plan, tenant, volume.Meta.Id, Kinds.Volume.Segment);
        return (await Store.CreateAsync(Kinds.Volume, volume, plan, ct)).Value;
    }

    public override async Task<Volume> GetVolume(GetVolumeRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(VolumeValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Volume, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListVolumesResponse> ListVolumes(ListVolumesRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(VolumeValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Volume, cmd.Page, scope, v => tenant is null || v.TenantId == tenant, context.CancellationToken);
        var response = new ListVolumesResponse { Page = page };
        response.Volumes.AddRange(items);
        return response;
    }

    public override async Task<Volume> ResizeVolume(ResizeVolumeRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(VolumeValidation.Validate(request));
        return await Store.UpdateAsync(Kinds.Volume, cmd.Id, null, TenantScope.Of(context), (current, next, _) =>
        {
            if (VolumeValidation.CheckGrow(cmd, current.Value.SizeBytes) is { } shrink) throw ApiErrors.Of(shrink);
            next.SizeBytes = cmd.SizeBytes;
            return Task.CompletedTask;
        }, context.CancellationToken);
    }

    public override async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(VolumeValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Volume, cmd.Id, TenantScope.Of(context), ct);
        var v = current.Value;
        if (v.AttachedInstanceId.Length > 0)
            throw ApiErrors.Precondition("VOLUME_ATTACHED", cmd.Id, $"volume {cmd.Id} is attached to instance {v.AttachedInstanceId}; detach it or delete the instance first");
        var refs = StoreLayout.RefPrefix(Kinds.Volume.Segment, cmd.Id);
        var snapshots = await Store.KeysUnderAsync(refs, ct);
        var plan = new CreatePlanOps();
        if (snapshots.Count > 0 && !cmd.Cascade)
            throw ApiErrors.Precondition("VOLUME_HAS_SNAPSHOTS", cmd.Id, $"volume {cmd.Id} has {snapshots.Count} snapshot(s); delete them or pass cascade");
        foreach (var s in snapshots)
        {
            var snapshotId = s.Split('/')[^1];
            if (await Store.GetAsync(Kinds.Snapshot, snapshotId, ct) is not { } snap) continue;
            plan.Compares.Add(ObjectStore.Unchanged(Kinds.Snapshot, snap));
            plan.Ops.Add(ObjectStore.Delete(Kinds.Snapshot.Key(snapshotId)));
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(snap.Value.TenantId, Kinds.Snapshot.Segment, snapshotId)));
        }
        if (!cmd.Cascade)
            plan.Compares.Add(new Compare(Keys.Of(refs), CompareTarget.CreateRevision, CompareResult.Equal, 0, RangeEnd: Keys.PrefixEnd(refs)));
        DeleteKeys(v, plan.Ops);
        // Attached volumes are refused above, so the volume's files are on its own host (if any).
        if (Infra.Controller.Southbound.Desired.VolumePurge.Tombstone(v) is { } tombstone) plan.Ops.Add(tombstone);
        var revision = await Store.TryDeleteAsync(Kinds.Volume, current, plan, ct) ?? throw ApiErrors.Contended($"deleting volume {cmd.Id}");
        return new DeleteVolumeResponse { Revision = revision };
    }

    /// <summary>The index keys a volume's delete removes (its snapshot references included).</summary>
    internal static void DeleteKeys(Volume v, List<RequestOp> ops)
    {
        ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Volume.Segment, v.TenantId, v.Meta.Name)));
        ops.Add(ObjectStore.Delete(StoreLayout.Owned(v.TenantId, Kinds.Volume.Segment, v.Meta.Id)));
        ops.Add(ObjectStore.DeletePrefix(StoreLayout.RefPrefix(Kinds.Volume.Segment, v.Meta.Id)));
        if (v.SourceSnapshotId.Length > 0)
            ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Snapshot.Segment, v.SourceSnapshotId, Kinds.Volume.Segment, v.Meta.Id)));
    }

    internal static Snapshot NewSnapshot(Volume v, string name, string groupId, Timestamp now) => new()
    {
        Meta = new ObjectMeta { Id = ResourceId.New(IdKind.Snapshot), Name = name, CreateTime = now, UpdateTime = now },
        TenantId = v.TenantId,
        VolumeId = v.Meta.Id,
        SizeBytes = v.SizeBytes,
        GroupId = groupId,
        // The record is what the agent acts on: it takes the snapshot and reports it available.
        State = VolumeState.Creating,
    };

    internal static void SnapshotKeys(Snapshot s, List<RequestOp> ops)
    {
        ops.Add(ObjectStore.PutString(StoreLayout.Owned(s.TenantId, Kinds.Snapshot.Segment, s.Meta.Id), ""));
        ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.Volume.Segment, s.VolumeId, Kinds.Snapshot.Segment, s.Meta.Id), ""));
    }
}
