using System.Collections.Immutable;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;
using Wire = Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Fixed IPs and policy id lists, shared by ports and instance NIC specs. Checks that need the
/// network's subnets live in <see cref="Resolve"/>, which the handler calls once it has read the network.
/// </summary>
public static class FixedIpValidation
{
    public const int MaxFixedIps = 16;
    public const int MaxPolicies = 16;

    public static ImmutableArray<FixedIpSpec> FixedIps(Violations v, string field, IList<Wire.FixedIp> input)
    {
        if (input.Count > MaxFixedIps) v.Add(field, $"has {input.Count} addresses; a port may have at most {MaxFixedIps}");
        var result = ImmutableArray.CreateBuilder<FixedIpSpec>();
        var addresses = new Dictionary<string, int>();
        var subnets = new Dictionary<IpCidr, int>();
        for (var i = 0; i < input.Count; i++)
        {
            var path = Violations.Index(field, i);
            if (input[i].SubnetCidr.Length == 0 && input[i].Address.Length == 0)
            {
                v.Add(path, "give subnet_cidr (IPAM picks an address there), address, or both");
                continue;
            }
            var subnet = v.Cidr(Violations.Path(path, "subnet_cidr"), input[i].SubnetCidr, required: false);
            var address = v.Address(Violations.Path(path, "address"), input[i].Address, required: false);
            if (subnet is { } s && address is not null)
                v.Check(Violations.Path(path, "address"), SubnetValidation.UsableAddressError(s, address, "address"));
            if (address is not null && !addresses.TryAdd(address.ToString(), i))
                v.Add(Violations.Path(path, "address"), $"{address} is already asked for in {field}[{addresses[address.ToString()]}]");
            if (subnet is { } sub && !subnets.TryAdd(sub, i))
                v.Add(Violations.Path(path, "subnet_cidr"), $"{sub} already has an address in {field}[{subnets[sub]}]; a port gets at most one address per subnet");
            result.Add(new FixedIpSpec(subnet, address));
        }
        return result.ToImmutable();
    }

    public static ImmutableArray<string> PolicyIds(Violations v, string field, IList<string> ids)
    {
        if (ids.Count > MaxPolicies) v.Add(field, $"has {ids.Count} policies; a port may have at most {MaxPolicies}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            v.Id(Violations.Index(field, i), ids[i], IdKind.Policy);
            if (!seen.Add(ids[i])) v.Add(Violations.Index(field, i), $"{ids[i]} is listed twice; list each policy once");
        }
        return [.. ids];
    }

    /// <summary>
    /// Binds wanted addresses to the network's subnets: an address must lie in one of them (and not be
    /// its network or broadcast address, nor its gateway); a named subnet must belong to the network;
    /// at most one address per subnet. Returns the specs with every subnet filled in.
    /// </summary>
    public static ImmutableArray<FixedIpSpec> Resolve(Violations v, string field, ImmutableArray<FixedIpSpec> wanted,
        IReadOnlyList<SubnetSpec> networkSubnets)
    {
        var result = ImmutableArray.CreateBuilder<FixedIpSpec>();
        var used = new Dictionary<IpCidr, int>();
        for (var i = 0; i < wanted.Length; i++)
        {
            var path = Violations.Index(field, i);
            var spec = wanted[i];
            SubnetSpec? subnet;
            if (spec.Subnet is { } named)
            {
                subnet = networkSubnets.FirstOrDefault(s => s.Cidr == named);
                if (subnet is null)
                {
                    v.Add(Violations.Path(path, "subnet_cidr"), $"{named} is not a subnet of this network; its subnets are {Describe(networkSubnets)}");
                    continue;
                }
            }
            else
            {
                subnet = networkSubnets.FirstOrDefault(s => s.Cidr.Contains(spec.Address!));
                if (subnet is null)
                {
                    v.Add(Violations.Path(path, "address"), $"{spec.Address} is in no subnet of this network; its subnets are {Describe(networkSubnets)}");
                    continue;
                }
            }
            if (spec.Address is { } a && v.Check(Violations.Path(path, "address"), SubnetValidation.UsableAddressError(subnet.Cidr, a, "address"))
                && a.Equals(subnet.Gateway))
                v.Add(Violations.Path(path, "address"), $"{a} is the subnet's gateway; choose another address or let IPAM choose");
            if (!used.TryAdd(subnet.Cidr, i))
                v.Add(path, $"{subnet.Cidr} already has an address in {field}[{used[subnet.Cidr]}]; a port gets at most one address per subnet");
            result.Add(spec with { Subnet = subnet.Cidr });
        }
        return result.ToImmutable();
    }

    static string Describe(IReadOnlyList<SubnetSpec> subnets) =>
        subnets.Count == 0 ? "none (add one with UpdateNetwork)" : string.Join(", ", subnets.Select(s => s.Cidr));
}
