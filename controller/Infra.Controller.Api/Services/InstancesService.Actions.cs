using System.Globalization;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Core.Placement;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Compute;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Lifecycle;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>Operator actions: the lifecycle decides what is allowed and what the instance becomes;
/// the agent acts on the new desired state (and on a grown reboot generation).</summary>
public sealed partial class InstancesService
{
    public override Task<Instance> StartInstance(InstanceActionRequest request, ServerCallContext context) =>
        ApplyAsync(ApiErrors.Valid(InstanceActionValidation.Start(request)).Id, new InstanceAction.Start(), context);

    public override Task<Instance> StopInstance(StopInstanceRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        return ApplyAsync(cmd.Id, new InstanceAction.Stop(cmd.Force), context);
    }

    public override Task<Instance> RebootInstance(RebootInstanceRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        return ApplyAsync(cmd.Id, new InstanceAction.Reboot(cmd.Force), context);
    }

    public override Task<Instance> PauseInstance(InstanceActionRequest request, ServerCallContext context) =>
        ApplyAsync(ApiErrors.Valid(InstanceActionValidation.Pause(request)).Id, new InstanceAction.Pause(), context);

    public override Task<Instance> ResumeInstance(InstanceActionRequest request, ServerCallContext context) =>
        ApplyAsync(ApiErrors.Valid(InstanceActionValidation.Resume(request)).Id, new InstanceAction.Resume(), context);

    public override async Task<Instance> ResizeInstance(ResizeInstanceRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        return await ApplyAsync(cmd.Id, new InstanceAction.Resize(cmd.NeedsStop), context, async (current, next, extra) =>
        {
            var v = new Violations();
            var size = SizingValidation.Apply(v, new InstanceSize((int)current.Vcpus, (int)current.CpuMhz, (long)current.MemoryMib), cmd);
            if (v.Any) throw ApiErrors.Of(new InvalidArgument(v.ToImmutable()));
            if (current.HostId.Length > 0)
            {
                // The host is the controller's business, not the caller's: read unconfined.
                var host = (await Store.RequireAsync(Kinds.Host, current.HostId, TenantScope.Unrestricted, ct)).Value;
                if (CpuQuota.CheckHost(host.Meta.Id, size.Vcpus, size.CpuMhz, (int)(host.Inventory?.MhzPerCore ?? 0)) is { } slow) throw ApiErrors.Of(slow);
                var claim = new Claim(current.Meta.Id, host.Meta.Id, size.Vcpus, size.CpuMhz, size.MemoryMib, null,
                    NullIfEmpty(current.AffinityGroup), NullIfEmpty(current.AntiAffinityGroup));
                var (compare, write, full) = await new ClaimLedger(Store).PlanResizeAsync(host, api.Options.EffectivePlacement, claim, ct);
                if (full is not null)
                    throw ApiErrors.Precondition("HOST_FULL", host.Meta.Id, $"host {host.Meta.Id} cannot take the new size: {full}");
                extra.Compares.Add(compare!);
                extra.Ops.Add(write!);
            }
            next.Vcpus = (uint)size.Vcpus;
            next.CpuMhz = (uint)size.CpuMhz;
            next.MemoryMib = (ulong)size.MemoryMib;
        });
    }

    static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    /// <summary>Runs one lifecycle action as a guarded update in the caller's scope; <paramref name="more"/> changes the rest.</summary>
    async Task<Instance> ApplyAsync(string id, InstanceAction action, ServerCallContext context,
        Func<Instance, Instance, CreatePlanOps, Task>? more = null)
    {
        var ct = context.CancellationToken;
        return await Store.UpdateAsync(Kinds.Instance, id, null, TenantScope.Of(context), async (current, next, extra) =>
        {
            var (status, generation) = await StatusAsync(current.Value, ct);
            var decision = InstanceLifecycle.Apply(id, status, action);
            if (!decision.Allowed) throw ApiErrors.Of(decision.Refusal!);
            var to = decision.Next!;
            next.State = WireMapping.ToWire(to.State);
            next.DesiredState = WireMapping.ToWire(to.Desired);
            if (to.RebootGeneration != generation)
                extra.Ops.Add(ObjectStore.PutString(StoreLayout.RebootGeneration(id), to.RebootGeneration.ToString(CultureInfo.InvariantCulture)));
            if (more is not null) await more(current.Value, next, extra);
        }, ct);
    }

    async Task<(InstanceStatus Status, long Generation)> StatusAsync(Instance i, CancellationToken ct)
    {
        var text = await Store.GetStringAsync(StoreLayout.RebootGeneration(i.Meta.Id), ct);
        var generation = text is null ? 0 : long.Parse(text, CultureInfo.InvariantCulture);
        return (WireMapping.Status(i, generation), generation);
    }

    public override async Task<Instance> AttachVolume(AttachVolumeRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        return await ApplyAsync(cmd.Id, new InstanceAction.AttachVolume(), context, async (current, next, extra) =>
        {
            if (current.VolumeIds.Contains(cmd.VolumeId) || current.BootVolumeId == cmd.VolumeId)
                throw ApiErrors.Precondition("VOLUME_ATTACHED", cmd.VolumeId, $"volume {cmd.VolumeId} is already attached to this instance");
            var v = await UnattachedVolumeAsync(cmd.VolumeId, current.TenantId, "volume_id", TenantScope.Of(context), ct);
            extra.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, v));
            extra.Ops.Add(ObjectStore.Put(Kinds.Volume, Attach(v.Value, current.Meta.Id, current.HostId)));
            next.VolumeIds.Add(cmd.VolumeId);
            // The action itself does not change the power state: keep what the lifecycle said.
        });
    }

    public override async Task<Instance> DetachVolume(DetachVolumeRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(InstanceActionValidation.Validate(request));
        return await ApplyAsync(cmd.Id, new InstanceAction.DetachVolume(), context, async (current, next, extra) =>
        {
            if (current.BootVolumeId == cmd.VolumeId)
                throw ApiErrors.Precondition("BOOT_VOLUME", cmd.VolumeId, $"volume {cmd.VolumeId} is the boot volume; it stays until the instance is deleted");
            if (!current.VolumeIds.Contains(cmd.VolumeId))
                throw ApiErrors.Precondition("VOLUME_NOT_ATTACHED", cmd.VolumeId, $"volume {cmd.VolumeId} is not attached to instance {cmd.Id}");
            var v = await Store.RequireAsync(Kinds.Volume, cmd.VolumeId, TenantScope.Of(context), ct);
            extra.Compares.Add(ObjectStore.Unchanged(Kinds.Volume, v));
            extra.Ops.Add(ObjectStore.Put(Kinds.Volume, Detached(v.Value)));
            next.VolumeIds.Remove(cmd.VolumeId);
        });
    }

    Volume Detached(Volume v)
    {
        var next = v.Clone();
        next.AttachedInstanceId = "";
        next.State = VolumeState.Available;
        next.Meta.UpdateTime = Store.Now();
        return next;
    }
}
