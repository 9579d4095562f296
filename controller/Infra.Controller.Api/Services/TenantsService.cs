using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using Direction = Infra.V1.Direction;

namespace Infra.Controller.Api.Services;

/// <summary>Tenants: each gets a tunnel key no other live tenant has and a default policy that lets
/// its own ports talk to each other (ingress from itself) and out (egress anywhere).</summary>
public sealed class TenantsService(ApiContext api) : Tenants.TenantsBase
{
    const int TunnelKeyAttempts = 32;
    ObjectStore Store => api.Store;

    public override async Task<Tenant> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(TenantValidation.Validate(request));
        if (await Store.ReplayAsync(Kinds.Tenant, "", nameof(CreateTenant), cmd.RequestId, ct) is { } replay) return replay;
        for (var attempt = 0; attempt < TunnelKeyAttempts; attempt++)
        {
            var id = ResourceId.New(IdKind.Tenant);
            // GRE keys 1..2^31-1: 0 is "no key" in OVS and the top half is left for the agents' own use.
            var key = (uint)Random.Shared.Next(1, int.MaxValue);
            var policy = DefaultPolicy(id);
            policy.Meta.CreateTime = policy.Meta.UpdateTime = Store.Now();
            var tenant = new Tenant { Meta = new ObjectMeta { Id = id, Name = cmd.Name }, TunnelKey = key, DefaultPolicyId = policy.Meta.Id };
            tenant.Meta.Labels.Add(cmd.Labels.Items);
            var plan = new CreatePlan { Scope = "", Method = nameof(CreateTenant), Name = cmd.Name, RequestId = cmd.RequestId };
            var tunnelKey = StoreLayout.TunnelKey(key);
            plan.Compares.Add(Compare.Absent(tunnelKey));
            plan.Ops.Add(ObjectStore.PutString(tunnelKey, id));
            plan.Ops.Add(ObjectStore.Put(Kinds.Policy, policy));
            plan.Ops.Add(ObjectStore.PutString(StoreLayout.Name(Kinds.Policy.Segment, id, policy.Meta.Name), policy.Meta.Id));
            try
            {
                return (await Store.CreateAsync(Kinds.Tenant, tenant, plan, ct)).Value;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
            {
                // Drew a key in use: draw again (anything else that aborted is not ours to retry).
                if (await Store.GetStringAsync(tunnelKey, ct) is null) throw;
            }
        }
        throw ApiErrors.Contended("allocating a tunnel key");
    }

    internal static Policy DefaultPolicy(string tenantId)
    {
        var id = ResourceId.New(IdKind.Policy);
        var policy = new Policy
        {
            Meta = new ObjectMeta { Id = id, Name = "default" },
            TenantId = tenantId,
            Description = "Created with the tenant: its ports may reach each other and anything outside.",
        };
        policy.Rules.Add(new Rule { Id = ResourceId.New(IdKind.Rule), Direction = Direction.Ingress, RemotePolicyId = id, Description = "from the tenant's own ports" });
        policy.Rules.Add(new Rule { Id = ResourceId.New(IdKind.Rule), Direction = Direction.Egress, Description = "to anywhere" });
        return policy;
    }

    public override async Task<Tenant> GetTenant(GetTenantRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(TenantValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Tenant, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListTenantsResponse> ListTenants(ListTenantsRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(TenantValidation.Validate(request));
        var (items, page) = await Paging.ListAsync(Store, Kinds.Tenant, cmd.Page, TenantScope.Of(context), t => Paging.Matches(t.Meta.Labels, cmd.LabelSelector), context.CancellationToken);
        var response = new ListTenantsResponse { Page = page };
        response.Tenants.AddRange(items);
        return response;
    }

    public override async Task<Tenant> UpdateTenant(UpdateTenantRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(TenantValidation.Validate(request));
        return await Store.UpdateAsync(Kinds.Tenant, cmd.Id, cmd.ExpectedRevision, TenantScope.Of(context), (_, next, _) =>
        {
            next.Meta.Labels.Clear();
            next.Meta.Labels.Add(cmd.Labels.Items);
            return Task.CompletedTask;
        }, context.CancellationToken);
    }

    public override async Task<DeleteTenantResponse> DeleteTenant(DeleteTenantRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(TenantValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Tenant, cmd.Id, TenantScope.Of(context), ct);
        var owned = await Store.KeysUnderAsync(StoreLayout.OwnedPrefix(cmd.Id), ct);
        if (owned.Count > 0)
            throw ApiErrors.Precondition("TENANT_NOT_EMPTY", cmd.Id,
                $"tenant {cmd.Id} still owns {owned.Count} object(s), for example {owned[0]}; delete them first");
        var t = current.Value;
        var plan = new CreatePlanOps();
        // Nothing may be created under the tenant while it is deleted: creates add an owned key, so the prefix must stay empty.
        plan.Compares.Add(new Compare(Keys.Of(StoreLayout.OwnedPrefix(cmd.Id)), CompareTarget.CreateRevision, CompareResult.Equal, 0,
            RangeEnd: Keys.PrefixEnd(StoreLayout.OwnedPrefix(cmd.Id))));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Tenant.Segment, "", t.Meta.Name)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.TunnelKey(t.TunnelKey)));
        plan.Ops.Add(ObjectStore.Delete(Kinds.Policy.Key(t.DefaultPolicyId)));
        plan.Ops.Add(ObjectStore.DeletePrefix(StoreLayout.Name(Kinds.Policy.Segment, cmd.Id, "")));
        plan.Ops.Add(ObjectStore.DeletePrefix(StoreLayout.RequestPrefix(cmd.Id)));
        plan.Ops.Add(ObjectStore.DeletePrefix(StoreLayout.RefPrefix(Kinds.Policy.Segment, t.DefaultPolicyId)));
        var revision = await Store.TryDeleteAsync(Kinds.Tenant, current, plan, ct)
            ?? throw ApiErrors.Contended($"deleting tenant {cmd.Id}");
        return new DeleteTenantResponse { Revision = revision };
    }
}
