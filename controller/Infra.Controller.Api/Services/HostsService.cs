using Infra.Controller.Model.Placement;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>
/// Hosts are registered and kept current by their agents (southbound); operators cordon, drain and
/// tune them here. A host's allocation is computed from the placement claims on every read, so it is
/// never stale.
/// </summary>
public sealed partial class HostsService(ApiContext api) : Hosts.HostsBase
{
    ObjectStore Store => api.Store;

    public override async Task<ListHostsResponse> ListHosts(ListHostsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        var wanted = cmd.State is { } s ? Domain.Model.WireMapping.ToWire(s) : (Infra.V1.HostState?)null;
        var (items, page) = await Paging.ListAsync(Store, Kinds.Host, cmd.Page, TenantScope.Of(context), h => wanted is null || h.State == wanted, ct);
        var claims = await api.Claims.ListAsync(ct);
        foreach (var h in items) HostCapacityMapping.FillAllocation(h, claims);
        var response = new ListHostsResponse { Page = page };
        response.Hosts.AddRange(items);
        return response;
    }

    public override async Task<Host> GetHost(GetHostRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        return await WithAllocationAsync((await Store.RequireAsync(Kinds.Host, cmd.Id, TenantScope.Of(context), ct)).Value, ct);
    }

    async Task<Host> WithAllocationAsync(Host h, CancellationToken ct)
    {
        HostCapacityMapping.FillAllocation(h, await api.Claims.ListAsync(ct));
        return h;
    }

    public override async Task<Host> CordonHost(CordonHostRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        return await SetCordonAsync(cmd.Id, true, cmd.Reason, TenantScope.Of(context), context.CancellationToken);
    }

    public override async Task<Host> UncordonHost(UncordonHostRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        return await SetCordonAsync(cmd.Id, false, "", TenantScope.Of(context), context.CancellationToken);
    }

    /// <summary>The reason is kept as the label infra.cordon-reason, since the Host message has no field for it.</summary>
    async Task<Host> SetCordonAsync(string id, bool cordoned, string reason, TenantScope scope, CancellationToken ct)
    {
        var h = await Store.UpdateAsync(Kinds.Host, id, null, scope, (_, next, _) =>
        {
            next.Cordoned = cordoned;
            if (cordoned && reason.Length > 0) next.Meta.Labels[CordonReasonLabel] = reason;
            if (!cordoned) next.Meta.Labels.Remove(CordonReasonLabel);
            return Task.CompletedTask;
        }, ct);
        return await WithAllocationAsync(h, ct);
    }

    public const string CordonReasonLabel = "infra.cordon-reason";

    public override async Task<Host> UpdateHost(UpdateHostRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(HostValidation.Validate(request));
        var h = await Store.UpdateAsync(Kinds.Host, cmd.Id, null, TenantScope.Of(context), (_, next, _) =>
        {
            if (cmd.Overcommit is { } o)
                next.Overcommit = new Overcommit { CpuRatio = o.CpuRatio, MemoryRatio = o.MemoryRatio, MemoryReserveMib = (ulong)o.MemoryReserveMib };
            if (cmd.Labels is { } labels)
            {
                var reason = next.Meta.Labels.GetValueOrDefault(CordonReasonLabel);
                next.Meta.Labels.Clear();
                next.Meta.Labels.Add(labels.Items);
                if (reason is not null && !next.Meta.Labels.ContainsKey(CordonReasonLabel)) next.Meta.Labels[CordonReasonLabel] = reason;
            }
            return Task.CompletedTask;
        }, ct);
        return await WithAllocationAsync(h, ct);
    }
}
