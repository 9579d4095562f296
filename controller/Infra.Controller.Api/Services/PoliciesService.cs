using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;
using Policy = Infra.V1.Policy;

namespace Infra.Controller.Api.Services;

/// <summary>Policies. Rules that name another policy register a reference to it, so that policy
/// cannot be deleted while a rule still points at it.</summary>
public sealed class PoliciesService(ApiContext api) : Policies.PoliciesBase
{
    ObjectStore Store => api.Store;

    public override async Task<Policy> CreatePolicy(CreatePolicyRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var scope = TenantScope.Of(context);
        request.TenantId = scope.ForCreate(request.TenantId);
        var cmd = ApiErrors.Valid(PolicyValidation.Validate(request));
        if (await Store.ReplayAsync(Kinds.Policy, cmd.TenantId, nameof(CreatePolicy), cmd.RequestId, ct) is { } replay) return replay;
        var tenant = await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var policy = new Policy { Meta = new ObjectMeta { Id = ResourceId.New(IdKind.Policy), Name = cmd.Name }, TenantId = cmd.TenantId, Description = cmd.Description };
        policy.Meta.Labels.Add(cmd.Labels.Items);
        policy.Rules.AddRange(cmd.Rules.Select(ToWire));
        var plan = new CreatePlan { Scope = cmd.TenantId, Method = nameof(CreatePolicy), Name = cmd.Name, RequestId = cmd.RequestId };
        NetworksService.Owned(plan, tenant, policy.Meta.Id, Kinds.Policy.Segment);
        await AddRuleRefsAsync(policy, scope, plan.Compares, plan.Ops, ct);
        return (await Store.CreateAsync(Kinds.Policy, policy, plan, ct)).Value;
    }

    internal static Rule ToWire(RuleSpec r)
    {
        var w = new Rule
        {
            Id = r.Id ?? ResourceId.New(IdKind.Rule),
            Direction = r.Direction == Domain.Model.Direction.Ingress ? Infra.V1.Direction.Ingress : Infra.V1.Direction.Egress,
            Protocol = (Infra.V1.Protocol)(int)r.Protocol,
            IpVersion = WireMapping.ToWire(r.Version),
            PortMin = (uint)(r.Ports?.Min ?? 0),
            PortMax = (uint)(r.Ports?.Max ?? 0),
            Description = r.Description,
        };
        switch (r.Remote)
        {
            case Remote.Cidr c: w.RemoteCidr = c.Network.ToString(); break;
            case Remote.Policy p: w.RemotePolicyId = p.PolicyId; break;
        }
        return w;
    }

    /// <summary>Every policy a rule names must exist in the same tenant; each gets a reference key.</summary>
    async Task AddRuleRefsAsync(Policy policy, TenantScope scope, List<Compare> compares, List<RequestOp> ops, CancellationToken ct)
    {
        foreach (var target in policy.Rules.Where(r => r.RemoteCase == Rule.RemoteOneofCase.RemotePolicyId).Select(r => r.RemotePolicyId).Distinct())
        {
            if (target == policy.Meta.Id) continue;
            var other = await Store.RequireAsync(Kinds.Policy, target, scope, ct);
            if (other.Value.TenantId != policy.TenantId)
                throw ApiErrors.Invalid("rules.remote_policy_id", $"policy {target} belongs to another tenant; rules may only name the tenant's own policies");
            compares.Add(Compare.ModRevision(Kinds.Policy.Key(target), CompareResult.Greater, 0));
            ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.Policy.Segment, target, "policies", policy.Meta.Id), ""));
        }
    }

    public override async Task<Policy> GetPolicy(GetPolicyRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(PolicyValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Policy, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListPoliciesResponse> ListPolicies(ListPoliciesRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(PolicyValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Policy, cmd.Page, scope, p => tenant is null || p.TenantId == tenant, context.CancellationToken);
        var response = new ListPoliciesResponse { Page = page };
        response.Policies.AddRange(items);
        return response;
    }

    public override async Task<Policy> UpdatePolicy(UpdatePolicyRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(PolicyValidation.Validate(request));
        var scope = TenantScope.Of(context);
        return await Store.UpdateAsync(Kinds.Policy, cmd.Id, cmd.ExpectedRevision, scope, async (current, next, extra) =>
        {
            next.Rules.Clear();
            next.Rules.AddRange(cmd.Rules.Select(ToWire));
            if (cmd.Description is { } d) next.Description = d;
            // Rebuild this policy's outgoing references: drop the old ones, add the new ones.
            var kept = next.Rules.Where(r => r.RemoteCase == Rule.RemoteOneofCase.RemotePolicyId).Select(r => r.RemotePolicyId).ToHashSet();
            foreach (var old in current.Value.Rules.Where(r => r.RemoteCase == Rule.RemoteOneofCase.RemotePolicyId && r.RemotePolicyId != cmd.Id)
                         .Select(r => r.RemotePolicyId).Distinct().Where(t => !kept.Contains(t)))
                extra.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Policy.Segment, old, "policies", cmd.Id)));
            await AddRuleRefsAsync(next, scope, extra.Compares, extra.Ops, ct);
        }, ct);
    }

    public override async Task<DeletePolicyResponse> DeletePolicy(DeletePolicyRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(PolicyValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Policy, cmd.Id, TenantScope.Of(context), ct);
        var p = current.Value;
        var tenant = await Store.GetAsync(Kinds.Tenant, p.TenantId, ct);
        if (tenant?.Value.DefaultPolicyId == cmd.Id)
            throw ApiErrors.Precondition("DEFAULT_POLICY", cmd.Id, $"policy {cmd.Id} is tenant {p.TenantId}'s default policy; it goes away with the tenant");
        var refs = StoreLayout.RefPrefix(Kinds.Policy.Segment, cmd.Id);
        var users = await Store.KeysUnderAsync(refs, ct);
        if (users.Count > 0)
            throw ApiErrors.Precondition("POLICY_IN_USE", cmd.Id, $"policy {cmd.Id} is still used by {users.Count} port(s) or rule(s) (first: {users[0]}); remove it from them first");
        var plan = new CreatePlanOps();
        plan.Compares.Add(new Compare(Keys.Of(refs), CompareTarget.CreateRevision, CompareResult.Equal, 0, RangeEnd: Keys.PrefixEnd(refs)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Policy.Segment, p.TenantId, p.Meta.Name)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(p.TenantId, Kinds.Policy.Segment, p.Meta.Id)));
        foreach (var target in p.Rules.Where(r => r.RemoteCase == Rule.RemoteOneofCase.RemotePolicyId && r.RemotePolicyId != cmd.Id).Select(r => r.RemotePolicyId).Distinct())
            plan.Ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Policy.Segment, target, "policies", cmd.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.Policy, current, plan, ct) ?? throw ApiErrors.Contended($"deleting policy {cmd.Id}");
        return new DeletePolicyResponse { Revision = revision };
    }
}
