using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Lifecycle;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>Delete and snapshot: the parts of an instance's life that touch its volumes and ports.</summary>
public sealed partial class InstancesService
{
    public override async Task<Instance> DeleteInstance(DeleteInstanceRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var current = await Store.RequireToChangeAsync(Kinds.Instance, cmd.Id, TenantScope.Of(context), ct);
            var i = current.Value;
            var (status, _) = await StatusAsync(i, ct);
            var decision = InstanceLifecycle.Apply(cmd.Id, status, new InstanceAction.Delete());
            if (!decision.Allowed) throw ApiErrors.Of(decision.Refusal!);

            var owned = await Store.KeysUnderAsync(StoreLayout.InstanceOwnedPrefix(cmd.Id), ct);
            var plan = new CreatePlanOps();
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Instance.Segment, i.TenantId, i.Meta.Name)));
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(i.TenantId, Kinds.Instance.Segment, i.Meta.Id)));
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.RebootGeneration(i.Meta.Id)));
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.UserData(i.Meta.Id)));
            foreach (var k in i.SshKeyIds) plan.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.KeyPair.Segment, k, Kinds.Instance.Segment, i.Meta.Id)));
            plan.Ops.Add(ObjectStore.DeletePrefix(StoreLayout.InstanceOwnedPrefix(i.Meta.Id)));
            var deletedPorts = new List<Port>();
            foreach (var portId in i.PortIds)
            {
                if (await Store.GetAsync(Kinds.Port, portId, ct) is not { } p) continue;
                plan.Compares.Add(ObjectStore.Unchanged(Kinds.Port, p));
                if (owned.Contains($"{Kinds.Port.Segment}/{portId}"))
                {
                    plan.Ops.Add(ObjectStore.Delete(Kinds.Port.Key(portId)));
                    PortBuilder.DeleteKeys(p.Value, plan.Ops);
                    deletedPorts.Add(p.Value);
                }
                else
                {
                    var next = p.Value.Clone();
                    next.InstanceId = next.HostId = "";
                    next.Status = PortStatus.Unspecified;
                    next.Meta.UpdateTime = Store.Now();
                    plan.Ops.Add(ObjectStore.Put(Kinds.Port, next));
                }
            }
            foreach (var volumeId in i.VolumeIds.Prepend(i.BootVolumeId).Where(v => v.Length > 0))
            {
                if (await Store.GetAsync(Kinds.Volume, volumeId, ct) is not { } v) continue;
                plan.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, v));
                var isBoot = volumeId == i.BootVolumeId;
                var delete = isBoot && (cmd.DeleteBootVolume || owned.Contains($"{Kinds.Volume.Segment}/{volumeId}"))
                    && !await Store.AnyUnderAsync(StoreLayout.RefPrefix(Kinds.Volume.Segment, volumeId), ct);
                if (delete)
                {
                    plan.Ops.Add(ObjectStore.Delete(Kinds.Volume.Key(volumeId)));
                    VolumesService.DeleteKeys(v.Value, plan.Ops);
                    // The host that served it must remove its files: a purge order, in this same transaction.
                    if (Infra.Controller.Southbound.Desired.VolumePurge.Tombstone(v.Value, i.HostId) is { } tombstone) plan.Ops.Add(tombstone);
                }
                else plan.Ops.Add(ObjectStore.Put(Kinds.Volume, Detached(v.Value)));
            }
            // Its host must power the VM off and remove it: an explicit order, in this same transaction
            // (the agent never removes a VM merely because it is missing from its desired state).
            if (Infra.Controller.Southbound.Desired.VmTombstones.Put(i.HostId, i.Meta.Id, DateTimeOffset.UtcNow) is { } vmTombstone) plan.Ops.Add(vmTombstone);
            if (await Store.TryDeleteAsync(Kinds.Instance, current, plan, ct) is not { } revision) continue;
            await api.Claims.ReleaseAsync(cmd.Id, CancellationToken.None);
            foreach (var p in deletedPorts) await api.Ports.ReleaseAsync(p, CancellationToken.None);
            i.State = Infra.V1.InstanceState.Deleting;
            i.StateReason = "deleted; its host's agent stops it and frees its resources";
            i.Meta.Revision = revision;
            return i;
        }
        throw ApiErrors.Contended($"deleting instance {cmd.Id}");
    }
}
