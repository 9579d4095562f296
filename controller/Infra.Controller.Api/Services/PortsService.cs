using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>Ports: IPAM gives each a MAC and one address per subnet; delete gives them back.</summary>
public sealed class PortsService(ApiContext api) : Ports.PortsBase
{
    ObjectStore Store => api.Store;

    public override async Task<Port> CreatePort(CreatePortRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(PortValidation.Validate(request));
        var scope = TenantScope.Of(context);
        // The port's tenant is its network's, and the network must be the caller's: that is the forced tenant here.
        var network = await Store.RequireAsync(Kinds.Network, cmd.NetworkId, scope, ct);
        var tenantId = network.Value.TenantId;
        if (await Store.ReplayAsync(Kinds.Port, tenantId, nameof(CreatePort), cmd.RequestId, ct) is { } replay) return replay;
        var built = await api.Ports.BuildAsync(null, cmd.NetworkId, cmd.Name, cmd.Mac, cmd.FixedIps, cmd.PolicyIds, cmd.Labels, null, "", scope, ct);
        var plan = new CreatePlan { Scope = tenantId, Method = nameof(CreatePort), Name = cmd.Name, RequestId = cmd.RequestId };
        plan.Compares.AddRange(built.Compares);
        plan.Ops.AddRange(built.Ops);
        try
        {
            var (port, outcome) = await Store.CreateAsync(Kinds.Port, built.Port, plan, ct);
            if (outcome == CreateOutcome.Replayed) await api.Ports.ReleaseAsync(built.Port, CancellationToken.None);
            return port;
        }
        catch
        {
            await api.Ports.ReleaseAsync(built.Port, CancellationToken.None);
            throw;
        }
    }

    public override async Task<Port> GetPort(GetPortRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(PortValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Port, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListPortsResponse> ListPorts(ListPortsRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(PortValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Port, cmd.Page, scope, p =>
            (tenant is null || p.TenantId == tenant)
            && (cmd.NetworkId is null || p.NetworkId == cmd.NetworkId)
            && (cmd.InstanceId is null || p.InstanceId == cmd.InstanceId), context.CancellationToken);
        var response = new ListPortsResponse { Page = page };
        response.Ports.AddRange(items);
        return response;
    }

    public override async Task<Port> UpdatePort(UpdatePortRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(PortValidation.Validate(request));
        var scope = TenantScope.Of(context);
        return await Store.UpdateAsync(Kinds.Port, cmd.Id, cmd.ExpectedRevision, scope, async (current, next, extra) =>
        {
            if (cmd.Labels is { } labels)
            {
                next.Meta.Labels.Clear();
                next.Meta.Labels.Add(labels.Items);
            }
            if (cmd.PolicyIds is { } ids)
            {
                var wanted = ids.Distinct().ToList();
                foreach (var p in wanted)
                {
                    var policy = await Store.RequireAsync(Kinds.Policy, p, scope, ct);
                    if (policy.Value.TenantId != current.Value.TenantId)
                        throw ApiErrors.Invalid("policy_ids", $"policy {p} belongs to another tenant");
                    extra.Compares.Add(Compare.ModRevision(Kinds.Policy.Key(p), CompareResult.Greater, 0));
                    if (!current.Value.PolicyIds.Contains(p))
                        extra.Ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.Policy.Segment, p, Kinds.Port.Segment, cmd.Id), ""));
                }
                foreach (var old in current.Value.PolicyIds.Where(o => !wanted.Contains(o)))
                    extra.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Policy.Segment, old, Kinds.Port.Segment, cmd.Id)));
                next.PolicyIds.Clear();
                next.PolicyIds.AddRange(wanted);
            }
        }, ct);
    }

    public override async Task<DeletePortResponse> DeletePort(DeletePortRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(PortValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Port, cmd.Id, TenantScope.Of(context), ct);
        if (current.Value.InstanceId.Length > 0)
            throw ApiErrors.Precondition("PORT_ATTACHED", cmd.Id, $"port {cmd.Id} is attached to instance {current.Value.InstanceId}; delete the instance or use another port");
        var plan = new CreatePlanOps();
        PortBuilder.DeleteKeys(current.Value, plan.Ops);
        var revision = await Store.TryDeleteAsync(Kinds.Port, current, plan, ct) ?? throw ApiErrors.Contended($"deleting port {cmd.Id}");
        await api.Ports.ReleaseAsync(current.Value, CancellationToken.None);
        return new DeletePortResponse { Revision = revision };
    }
}
