using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>Networks and their subnets; addresses are handed out by IPAM when ports are created.</summary>
public sealed class NetworksService(ApiContext api) : Networks.NetworksBase
{
    ObjectStore Store => api.Store;

    public override async Task<Network> CreateNetwork(CreateNetworkRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var scope = TenantScope.Of(context);
        request.TenantId = scope.ForCreate(request.TenantId);
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        if (await Store.ReplayAsync(Kinds.Network, cmd.TenantId, nameof(CreateNetwork), cmd.RequestId, ct) is { } replay) return replay;
        var tenant = await Store.RequireAsync(Kinds.Tenant, cmd.TenantId, scope, ct);
        var network = new Network { Meta = new ObjectMeta { Id = ResourceId.New(IdKind.Network), Name = cmd.Name }, TenantId = cmd.TenantId, Mtu = (uint)cmd.Mtu };
        network.Meta.Labels.Add(cmd.Labels.Items);
        network.Subnets.AddRange(cmd.Subnets.Select(SubnetMapping.ToWire));
        var plan = new CreatePlan { Scope = cmd.TenantId, Method = nameof(CreateNetwork), Name = cmd.Name, RequestId = cmd.RequestId };
        Owned(plan, tenant, network.Meta.Id);
        return (await Store.CreateAsync(Kinds.Network, network, plan, ct)).Value;
    }

    /// <summary>Registers a new object under its tenant, failing the create if the tenant is deleted meanwhile.</summary>
    internal static void Owned(CreatePlan plan, Stored<Tenant> tenant, string id, string segment = "networks")
    {
        plan.Compares.Add(Compare.ModRevision(Kinds.Tenant.Key(tenant.Value.Meta.Id), CompareResult.Greater, 0));
        plan.Ops.Add(ObjectStore.PutString(StoreLayout.Owned(tenant.Value.Meta.Id, segment, id), ""));
    }

    public override async Task<Network> GetNetwork(GetNetworkRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        return (await Store.RequireAsync(Kinds.Network, cmd.Id, TenantScope.Of(context), context.CancellationToken)).Value;
    }

    public override async Task<ListNetworksResponse> ListNetworks(ListNetworksRequest request, ServerCallContext context)
    {
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        var scope = TenantScope.Of(context);
        var tenant = scope.Tenant(cmd.TenantId);
        var (items, page) = await Paging.ListAsync(Store, Kinds.Network, cmd.Page, scope, n => tenant is null || n.TenantId == tenant, context.CancellationToken);
        var response = new ListNetworksResponse { Page = page };
        response.Networks.AddRange(items);
        return response;
    }

    public override async Task<Network> UpdateNetwork(UpdateNetworkRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        // First pass: field errors that need no state, so a malformed request never costs a read.
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        return await Store.UpdateAsync(Kinds.Network, cmd.Id, cmd.ExpectedRevision, TenantScope.Of(context), (current, next, _) =>
        {
            var existing = current.Value.Subnets.Select(s => SubnetMapping.ToDomain(s).Cidr).ToList();
            var full = ApiErrors.Valid(NetworkValidation.Validate(request, existing));
            next.Subnets.AddRange(full.AddSubnets.Select(SubnetMapping.ToWire));
            if (full.Labels is { } labels)
            {
                next.Meta.Labels.Clear();
                next.Meta.Labels.Add(labels.Items);
            }
            return Task.CompletedTask;
        }, ct);
    }

    public override async Task<DeleteNetworkResponse> DeleteNetwork(DeleteNetworkRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        var current = await Store.RequireToChangeAsync(Kinds.Network, cmd.Id, TenantScope.Of(context), ct);
        var refs = StoreLayout.RefPrefix(Kinds.Network.Segment, cmd.Id);
        var users = await Store.KeysUnderAsync(refs, ct);
        if (users.Count > 0)
            throw ApiErrors.Precondition("NETWORK_IN_USE", cmd.Id, $"network {cmd.Id} still has {users.Count} port(s) (first: {users[0].Split('/')[^1]}); delete them first");
        var n = current.Value;
        var plan = new CreatePlanOps();
        plan.Compares.Add(new Compare(Keys.Of(refs), CompareTarget.CreateRevision, CompareResult.Equal, 0, RangeEnd: Keys.PrefixEnd(refs)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Network.Segment, n.TenantId, n.Meta.Name)));
        plan.Ops.Add(ObjectStore.Delete(StoreLayout.Owned(n.TenantId, Kinds.Network.Segment, n.Meta.Id)));
        var revision = await Store.TryDeleteAsync(Kinds.Network, current, plan, ct) ?? throw ApiErrors.Contended($"deleting network {cmd.Id}");
        return new DeleteNetworkResponse { Revision = revision };
    }

    public override async Task<ListAllocationsResponse> ListAllocations(ListAllocationsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var cmd = ApiErrors.Valid(NetworkValidation.Validate(request));
        var network = (await Store.RequireAsync(Kinds.Network, cmd.NetworkId, TenantScope.Of(context), ct)).Value;
        var all = new List<Allocation>();
        var seen = new HashSet<string>();
        foreach (var s in network.Subnets)
        {
            var ipam = SubnetMapping.ToDomain(s);
            foreach (var (address, owner) in await api.Ipam.ListAsync(network.Meta.Id, ipam, ct))
                if (ipam.Cidr.Contains(address) && seen.Add(address.ToString()))
                    all.Add(new Allocation { Address = address.ToString(), SubnetCidr = s.Cidr, PortId = owner });
        }
        // Stable order for paging: by address text; the token is the last address.
        all.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
        var after = Paging.Decode(cmd.Page.Token);
        var rest = all.Where(a => after is null || string.CompareOrdinal(a.Address, after) > 0).ToList();
        var response = new ListAllocationsResponse { Page = new PageResponse() };
        response.Allocations.AddRange(rest.Take(cmd.Page.Size));
        if (rest.Count > cmd.Page.Size) response.Page.NextPageToken = Paging.Encode(response.Allocations[^1].Address);
        return response;
    }
}
