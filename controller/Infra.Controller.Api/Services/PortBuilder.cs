using System.Collections.Immutable;
using System.Net;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Model.Store;
using Infra.Controller.Core.Ipam;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Services;

/// <summary>A port ready to commit: the object, the keys that commit with it, and the IPAM
/// allocations to give back if the commit does not happen.</summary>
public sealed record BuiltPort(Port Port, List<Compare> Compares, List<RequestOp> Ops);

/// <summary>
/// Builds ports for CreatePort and for instances' inline NICs: checks the network and policies,
/// takes a MAC and one address per subnet from IPAM (owner = the port id, so a crash between
/// allocation and commit leaves only keys that name a port that never existed), and lists the
/// index keys. The network and policies are read in the caller's <see cref="TenantScope"/>, so another
/// tenant's are NOT_FOUND. Callers commit, or call <see cref="ReleaseAsync"/> when they do not.
/// </summary>
public sealed class PortBuilder(ApiContext api)
{
    public async Task<BuiltPort> BuildAsync(string? tenantId, string networkId, string? name, MacAddress? mac,
        ImmutableArray<FixedIpSpec> fixedIps, ImmutableArray<string> policyIds, Labels labels, string? instanceId,
        string field, TenantScope scope, CancellationToken ct)
    {
        var network = await api.Store.RequireAsync(Kinds.Network, networkId, scope, ct);
        var net = network.Value;
        if (tenantId is not null && net.TenantId != tenantId)
            throw ApiErrors.Invalid(Violations.Path(field, "network_id"), $"network {networkId} belongs to another tenant");
        var tenant = await api.Store.RequireAsync(Kinds.Tenant, net.TenantId, scope, ct);
        var v = new Violations();
        var domainSubnets = net.Subnets.Select(SubnetMapping.ToDomain).ToList();
        var wanted = fixedIps.IsDefaultOrEmpty
            ? [.. domainSubnets.Select(s => new FixedIpSpec(s.Cidr, null))]
            : FixedIpValidation.Resolve(v, Violations.Path(field, "fixed_ips"), fixedIps, domainSubnets);
        if (v.Any) throw ApiErrors.Of(new Domain.Errors.InvalidArgument(v.ToImmutable()));
        var policies = policyIds.IsDefaultOrEmpty ? [tenant.Value.DefaultPolicyId] : policyIds.Distinct().ToList();
        foreach (var p in policies)
        {
            var policy = await api.Store.RequireAsync(Kinds.Policy, p, scope, ct);
            if (policy.Value.TenantId != net.TenantId)
                throw ApiErrors.Invalid(Violations.Path(field, "policy_ids"), $"policy {p} belongs to another tenant");
        }

        var id = ResourceId.New(IdKind.Port);
        var port = new Port { Meta = new ObjectMeta { Id = id, Name = name ?? "" }, TenantId = net.TenantId, NetworkId = networkId, InstanceId = instanceId ?? "" };
        port.Meta.Labels.Add(labels.Items);
        port.PolicyIds.AddRange(policies);
        try
        {
            port.MacAddress = await TakeMacAsync(mac, id, field, ct);
            foreach (var want in wanted)
            {
                var subnet = net.Subnets.First(s => SubnetMapping.ToDomain(s).Cidr == want.Subnet);
                var ipam = SubnetMapping.ToDomain(subnet);
                // On an IPv6 /64 the guest forms its address by SLAAC from the MAC; IPAM hands out
                // that very address so router advertisements, the guest and port security agree.
                var address = want.Address ?? (IsSlaacSubnet(ipam) ? SlaacAddress(ipam, port.MacAddress) : null);
                var r = address is { } a
                    ? await api.Ipam.AllocateSpecificAsync(networkId, ipam, a, id, ct)
                    : await api.Ipam.AllocateAsync(networkId, ipam, id, ct);
                if (!r.Ok) throw IpamError(r, Violations.Path(field, "fixed_ips"), networkId);
                port.FixedIps.Add(new FixedIp { SubnetCidr = subnet.Cidr, Address = r.Address!.ToString() });
            }
        }
        catch
        {
            await ReleaseAsync(port, CancellationToken.None);
            throw;
        }
        var compares = new List<Compare>
        {
            Compare.ModRevision(Kinds.Network.Key(networkId), CompareResult.Greater, 0),
            Compare.ModRevision(Kinds.Tenant.Key(net.TenantId), CompareResult.Greater, 0),
        };
        var ops = new List<RequestOp>
        {
            ObjectStore.PutString(StoreLayout.Owned(net.TenantId, Kinds.Port.Segment, id), ""),
            ObjectStore.PutString(StoreLayout.Ref(Kinds.Network.Segment, networkId, Kinds.Port.Segment, id), ""),
        };
        foreach (var p in policies)
        {
            compares.Add(Compare.ModRevision(Kinds.Policy.Key(p), CompareResult.Greater, 0));
            ops.Add(ObjectStore.PutString(StoreLayout.Ref(Kinds.Policy.Segment, p, Kinds.Port.Segment, id), ""));
        }
        return new BuiltPort(port, compares, ops);
    }

    async Task<string> TakeMacAsync(MacAddress? mac, string owner, string field, CancellationToken ct)
    {
        if (mac is null)
        {
            var r = await api.Ipam.AllocateMacAsync(owner, ct);
            return r.Ok ? r.Mac! : throw ApiErrors.Precondition("MAC_EXHAUSTED", owner, r.Error ?? "no MAC available");
        }
        var text = mac.Value.ToString();
        var key = StoreLayout.IpamRoot + "mac/" + text;
        var taken = await api.Store.TxnAsync([Compare.Absent(key)], [PutRequest.Of(key, owner)], ct);
        if (taken.Succeeded) return text;
        var holder = await api.Store.GetStringAsync(key, ct);
        throw ApiErrors.Precondition("MAC_IN_USE", text, $"MAC {text} is already used by port {holder}; leave mac_address empty to get a free one");
    }

    static bool IsSlaacSubnet(Domain.Commands.SubnetSpec s) => !s.IsV4 && s.Cidr.PrefixLength == 64 && s.AllocationRanges.IsDefaultOrEmpty;

    static IPAddress SlaacAddress(Domain.Commands.SubnetSpec s, string mac) =>
        Domain.Guests.Slaac.Address(s.Cidr.Network, MacAddress.TryParse(mac, out var m, out var e) ? m : throw new InvalidOperationException(e));

    static global::Grpc.Core.RpcException IpamError(IpamResult r, string field, string networkId) => r.Outcome switch
    {
        IpamOutcome.Exhausted => ApiErrors.Precondition("SUBNET_EXHAUSTED", networkId, r.Error!),
        IpamOutcome.AlreadyInUse => ApiErrors.Precondition("ADDRESS_IN_USE", networkId, r.Error!),
        IpamOutcome.Invalid => ApiErrors.Invalid(field, r.Error!),
        _ => ApiErrors.Contended($"allocating an address on network {networkId}"),
    };

    /// <summary>Gives the port's MAC and addresses back (only those still held by this port).</summary>
    public async Task ReleaseAsync(Port port, CancellationToken ct)
    {
        var id = port.Meta.Id;
        if (port.MacAddress.Length > 0) await api.Ipam.ReleaseMacAsync(port.MacAddress, id, ct);
        foreach (var ip in port.FixedIps)
            await api.Ipam.ReleaseAsync(port.NetworkId, IPAddress.Parse(ip.Address), id, ct);
    }

    /// <summary>The index keys a port's delete removes.</summary>
    public static void DeleteKeys(Port p, List<RequestOp> ops)
    {
        if (p.Meta.Name.Length > 0) ops.Add(ObjectStore.Delete(StoreLayout.Name(Kinds.Port.Segment, p.TenantId, p.Meta.Name)));
        ops.Add(ObjectStore.Delete(StoreLayout.Owned(p.TenantId, Kinds.Port.Segment, p.Meta.Id)));
        ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Network.Segment, p.NetworkId, Kinds.Port.Segment, p.Meta.Id)));
        foreach (var pol in p.PolicyIds)
            ops.Add(ObjectStore.Delete(StoreLayout.Ref(Kinds.Policy.Segment, pol, Kinds.Port.Segment, p.Meta.Id)));
    }
}
