using Infra.Controller.Model.Placement;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Compute;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using BootSource = Infra.Controller.Domain.Commands.BootSource;
using InstanceState = Infra.V1.InstanceState;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Instances. Create checks every reference, claims a host atomically (placement), builds inline
/// ports and the boot volume record, and commits it all in one transaction; anything taken before a
/// failed commit (claim, addresses) is given back. The instance is left SCHEDULED on its host: the
/// southbound side moves it on as the host's agent reports.
/// </summary>
public sealed partial class InstancesService(ApiContext api, Infra.Controller.Southbound.Commands.IHostCommands? commands = null) : Instances.InstancesBase
{
    ObjectStore Store => api.Store;

    public override async Task<Instance> CreateInstance(CreateInstanceRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var scope = TenantScope.Of(context);
        request.TenantId = scope.ForCreate(request.TenantId);
        var cmd = ApiErrors.Valid(InstanceValidation.Validate(request));
        if (await Store.ReplayAsync(Kinds.Instance, cmd.TenantId, nameof(CreateInstance), cmd.RequestId, ct) is { } replay) return replay;
        var tenant = await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var id = ResourceId.New(IdKind.Instance);
        var instance = new Instance
        {
            Meta = new ObjectMeta { Id = id, Name = cmd.Name },
            TenantId = cmd.TenantId,
            Vcpus = (uint)cmd.Size.Vcpus,
            CpuMhz = (uint)cmd.Size.CpuMhz,
            MemoryMib = (ulong)cmd.Size.MemoryMib,
            AffinityGroup = cmd.AffinityGroup ?? "",
            AntiAffinityGroup = cmd.AntiAffinityGroup ?? "",
            State = InstanceState.Scheduled,
            DesiredState = cmd.Start ? InstanceState.Running : InstanceState.Stopped,
            Hostname = cmd.Guest.Hostname ?? "",
        };
        instance.SshKeyIds.AddRange(cmd.Guest.SshKeyIds);
        instance.Meta.Labels.Add(cmd.Labels.Items);
        var plan = new CreatePlan { Scope = cmd.TenantId, Method = nameof(CreateInstance), Name = cmd.Name, RequestId = cmd.RequestId };
        NetworksService.Owned(plan, tenant, id, Kinds.Instance.Segment);

        await GuestConfigAsync(cmd, instance, plan, scope, ct);
        var boot = await BootVolumeAsync(cmd, instance, plan, scope, ct);
        var attached = new List<Stored<Volume>>();
        for (var i = 0; i < cmd.VolumeIds.Length; i++)
            attached.Add(await UnattachedVolumeAsync(cmd.VolumeIds[i], cmd.TenantId, $"volume_ids[{i}]", scope, ct));
        var existingPorts = new List<(int Index, Stored<Port> Port)>();
        for (var i = 0; i < cmd.Nics.Length; i++)
            if (cmd.Nics[i] is NicSpec.ExistingPort e)
            {
                var p = await Store.RequireAsync(Kinds.Port, e.PortId, scope, ct);
                if (p.Value.TenantId != cmd.TenantId) throw ApiErrors.Invalid($"ports[{i}].port_id", $"port {e.PortId} belongs to another tenant");
                if (p.Value.InstanceId.Length > 0) throw ApiErrors.Precondition("PORT_ATTACHED", e.PortId, $"port {e.PortId} is already attached to instance {p.Value.InstanceId}");
                existingPorts.Add((i, p));
            }

        var host = await PlaceAsync(instance, ct);
        var built = new List<BuiltPort>();
        try
        {
            instance.HostId = host.Meta.Id;
            instance.StateReason = $"placed on host {host.Meta.Id}; waiting for its agent to start it";
            var portIds = new string[cmd.Nics.Length];
            foreach (var (i, p) in existingPorts)
            {
                portIds[i] = p.Value.Meta.Id;
                var next = p.Value.Clone();
                next.InstanceId = id;
                next.HostId = host.Meta.Id;
                plan.Compares.Add(ObjectStore.Unchanged(Kinds.Port, p));
                plan.Ops.Add(ObjectStore.Put(Kinds.Port, next));
            }
            for (var i = 0; i < cmd.Nics.Length; i++)
            {
                if (cmd.Nics[i] is not NicSpec.NewPort n) continue;
                var b = await api.Ports.BuildAsync(cmd.TenantId, n.NetworkId, null, null, n.FixedIps, n.PolicyIds, Labels.Empty, id, $"ports[{i}]", scope, ct);
                built.Add(b);
                b.Port.HostId = host.Meta.Id;
                b.Port.Meta.CreateTime = b.Port.Meta.UpdateTime = Store.Now();
                portIds[i] = b.Port.Meta.Id;
                plan.Compares.AddRange(b.Compares);
                plan.Ops.AddRange(b.Ops);
                plan.Ops.Add(ObjectStore.Put(Kinds.Port, b.Port));
                plan.Ops.Add(ObjectStore.PutString(StoreLayout.InstanceOwned(id, Kinds.Port.Segment, b.Port.Meta.Id), ""));
            }
            instance.PortIds.AddRange(portIds);
            instance.BootVolumeId = boot.Volume.Meta.Id;
            foreach (var v in attached)
            {
                instance.VolumeIds.Add(v.Value.Meta.Id);
                plan.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, v));
                plan.Ops.Add(ObjectStore.Put(Kinds.Volume, Attach(v.Value, id, host.Meta.Id)));
            }
            // The boot volume lives where the instance runs (unless it is on NBD).
            plan.Ops.Add(ObjectStore.Put(Kinds.Volume, Attach(boot.Volume, id, host.Meta.Id)));
            if (boot.Existing is { } existing) plan.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, existing));
            var (created, outcome) = await Store.CreateAsync(Kinds.Instance, instance, plan, ct);
            if (outcome == CreateOutcome.Replayed) await UndoAsync(id, built);
            return created;
        }
        catch
        {
            await UndoAsync(id, built);
            throw;
        }
    }

    async Task UndoAsync(string instanceId, List<BuiltPort> built)
    {
        await api.Claims.ReleaseAsync(instanceId, CancellationToken.None);
        foreach (var b in built) await api.Ports.ReleaseAsync(b.Port, CancellationToken.None);
    }

    /// <summary>Claims a host; "nothing fits" is FAILED_PRECONDITION with placement's per-reason explanation.</summary>
    async Task<Host> PlaceAsync(Instance instance, CancellationToken ct)
    {
        var policy = api.Options.EffectivePlacement;
        var hosts = await Store.AllAsync(Kinds.Host, ct);
        var capacities = hosts.Select(h => HostCapacityMapping.ToCapacity(h, policy)).ToList();
        var decision = await api.Claims.PlaceAsync(capacities, HostCapacityMapping.Request(instance), ct);
        if (!decision.Placed)
            throw ApiErrors.Precondition("NO_HOST_FITS", instance.Meta.Id, decision.Error ?? "no host can take the instance");
        // Core speed is one of placement's filters (HostCapacity.CoreMhz), so the chosen host can deliver cpu_mhz.
        return hosts.First(h => h.Meta.Id == decision.HostId);
    }

    /// <summary>The boot volume: a new copy-on-write clone record of an image, or an existing unattached volume.</summary>
    async Task<(Volume Volume, Stored<Volume>? Existing)> BootVolumeAsync(CreateInstance cmd, Instance instance, CreatePlan plan, TenantScope scope, CancellationToken ct)
    {
        switch (cmd.Boot)
        {
            case BootSource.FromImage fi:
            {
                var image = (await Store.RequireAsync(Kinds.Image, fi.ImageId, scope, ct)).Value;
                if (image.TenantId.Length > 0 && image.TenantId != cmd.TenantId)
                    throw ApiErrors.Invalid("boot.image_id", $"image {fi.ImageId} belongs to another tenant; use a public image or one of the tenant's own");
                var volume = new Volume
                {
                    Meta = new ObjectMeta { Id = ResourceId.New(IdKind.Volume), Name = $"{cmd.Name}-boot", CreateTime = Store.Now(), UpdateTime = Store.Now() },
                    TenantId = cmd.TenantId,
                    SizeBytes = Math.Max(fi.SizeBytes ?? 0, image.VirtualSizeBytes),
                    Backend = new Infra.V1.VolumeBackend { Local = new LocalBackend { Format = Infra.V1.DiskFormat.Qcow2 } },
                    SourceImageId = image.Meta.Id,
                };
                plan.Ops.Add(ObjectStore.PutString(StoreLayout.Owned(cmd.TenantId, Kinds.Volume.Segment, volume.Meta.Id), ""));
                var nameKey = StoreLayout.Name(Kinds.Volume.Segment, cmd.TenantId, volume.Meta.Name);
                plan.Compares.Add(Compare.Absent(nameKey));
                plan.Ops.Add(ObjectStore.PutString(nameKey, volume.Meta.Id));
                if (fi.DeleteOnTermination)
                    plan.Ops.Add(ObjectStore.PutString(StoreLayout.InstanceOwned(instance.Meta.Id, Kinds.Volume.Segment, volume.Meta.Id), ""));
                return (volume, null);
            }
            case BootSource.FromVolume fv:
            {
                var v = await UnattachedVolumeAsync(fv.VolumeId, cmd.TenantId, "boot.volume_id", scope, ct);
                if (fv.DeleteOnTermination)
                    plan.Ops.Add(ObjectStore.PutString(StoreLayout.InstanceOwned(instance.Meta.Id, Kinds.Volume.Segment, fv.VolumeId), ""));
                return (v.Value, v);
            }
            default:
                throw new InvalidOperationException($"unknown boot source {cmd.Boot.GetType().Name}");
        }
    }

    async Task<Stored<Volume>> UnattachedVolumeAsync(string volumeId, string tenantId, string field, TenantScope scope, CancellationToken ct)
    {
        var v = await Store.RequireAsync(Kinds.Volume, volumeId, scope, ct);
        if (v.Value.TenantId != tenantId) throw ApiErrors.Invalid(field, $"volume {volumeId} belongs to another tenant");
        if (v.Value.AttachedInstanceId.Length > 0)
            throw ApiErrors.Precondition("VOLUME_ATTACHED", volumeId, $"volume {volumeId} is attached to instance {v.Value.AttachedInstanceId}; detach it first");
        if (v.Value.State == VolumeState.Error)
            throw ApiErrors.Precondition("VOLUME_ERROR", volumeId, $"volume {volumeId} is in ERROR ({v.Value.StateReason}); delete it or use another");
        return v;
    }

    static Volume Attach(Volume v, string instanceId, string hostId)
    {
        var next = v.Clone();
        next.AttachedInstanceId = instanceId;
        next.State = VolumeState.InUse;
        if (hostId.Length > 0 && next.Backend?.KindCase != Infra.V1.VolumeBackend.KindOneofCase.Nbd) next.HostId = hostId;
        return next;
    }

    public override async Task<Instance> GetInstance(GetInstanceRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(InstanceValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Instance, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListInstancesResponse> ListInstances(ListInstancesRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(InstanceValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Instance, cmd.Page, scope, i =>
            (tenant is null || i.TenantId == tenant) && (cmd.HostId is null || i.HostId == cmd.HostId), context.CancellationToken);
        var response = new ListInstancesResponse { Page = page };
        response.Instances.AddRange(items);
        return response;
    }
}
