using System.Collections.Immutable;
using System.Net;
using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Subnet rules. Prefix limits: IPv4 /8-/30 (a /31 or /32 leaves no room for a gateway and a guest;
/// shorter than /8 is no single L2 segment); IPv6 /48-/124 (shorter than /48 is a whole site's
/// allocation, longer than /124 leaves fewer than 16 addresses). Loopback, link-local, multicast
/// and reserved ranges are refused because guests could not use them as ordinary unicast.
/// </summary>
public static class SubnetValidation
{
    public const int MaxSubnets = 16;
    public const int MaxDnsServers = 8;
    public const int MaxAllocationRanges = 32;
    public const int MaxHostRoutes = 16;

    static readonly IpCidr[] Unusable =
    [
        Parse("0.0.0.0/8"), Parse("127.0.0.0/8"), Parse("169.254.0.0/16"), Parse("224.0.0.0/4"), Parse("240.0.0.0/4"),
        Parse("::/8"), Parse("fe80::/10"), Parse("ff00::/8"),
    ];

    static IpCidr Parse(string text) => IpCidr.TryParse(text, out var c, out _) ? c : throw new InvalidOperationException(text);

    public static SubnetSpec? Subnet(Violations v, string field, Infra.V1.Subnet s)
    {
        var cidr = v.Cidr(Violations.Path(field, "cidr"), s.Cidr);
        if (cidr is { } c && !CheckPrefix(v, Violations.Path(field, "cidr"), c)) cidr = null;

        if (cidr is { } versioned && s.IpVersion != Infra.V1.IpVersion.Unspecified
            && s.IpVersion != (versioned.Version == IpVersion.V4 ? Infra.V1.IpVersion._4 : Infra.V1.IpVersion._6))
            v.Add(Violations.Path(field, "ip_version"), $"is derived from the cidr ({versioned} is IPv{(int)versioned.Version}); leave it unset");

        var gateway = v.Address(Violations.Path(field, "gateway"), s.Gateway, required: false);
        if (gateway is not null && cidr is { } net)
            v.Check(Violations.Path(field, "gateway"), UsableAddressError(net, gateway, "gateway"));

        if (s.DnsServers.Count > MaxDnsServers)
            v.Add(Violations.Path(field, "dns_servers"), $"has {s.DnsServers.Count} servers; at most {MaxDnsServers} are allowed");
        var dns = s.DnsServers.Select((d, i) => v.Address(Violations.Index(Violations.Path(field, "dns_servers"), i), d))
            .OfType<IPAddress>().ToImmutableArray();

        var ranges = Ranges(v, Violations.Path(field, "allocation_ranges"), s.AllocationRanges, cidr, gateway);
        var routes = HostRoutes(v, Violations.Path(field, "host_routes"), s.HostRoutes, cidr);
        if (cidr is null) return null;
        return new SubnetSpec(cidr.Value, gateway, dns, ranges) { HostRoutes = routes };
    }

    /// <summary>Each route: a CIDR of the subnet's version, via an address inside the subnet (a guest
    /// can only reach a next hop on its own link); no destination twice.</summary>
    static ImmutableArray<HostRoute> HostRoutes(Violations v, string field, IList<Infra.V1.HostRoute> input, IpCidr? cidr)
    {
        if (input.Count > MaxHostRoutes) v.Add(field, $"has {input.Count} routes; at most {MaxHostRoutes} are allowed");
        var routes = new List<HostRoute>();
        for (var i = 0; i < input.Count; i++)
        {
            var path = Violations.Index(field, i);
            var dest = v.Cidr(Violations.Path(path, "destination"), input[i].Destination);
            var via = v.Address(Violations.Path(path, "nexthop"), input[i].Nexthop);
            if (dest is not { } d || via is null || cidr is not { } c) continue;
            if (d.Version != c.Version) { v.Add(Violations.Path(path, "destination"), $"{d} is IPv{(int)d.Version} but the subnet {c} is IPv{(int)c.Version}"); continue; }
            if (!v.Check(Violations.Path(path, "nexthop"), UsableAddressError(c, via, "nexthop"))) continue;
            if (routes.Any(r => r.Destination == d)) { v.Add(Violations.Path(path, "destination"), $"{d} is routed twice; give each destination one next hop"); continue; }
            routes.Add(new HostRoute(d, via));
        }
        return [.. routes];
    }

    static bool CheckPrefix(Violations v, string field, IpCidr c)
    {
        var (min, max) = c.Version == IpVersion.V4 ? (8, 30) : (48, 124);
        if (c.PrefixLength < min || c.PrefixLength > max)
        {
            v.Add(field, $"{c} has prefix length /{c.PrefixLength}; {(c.Version == IpVersion.V4 ? "IPv4" : "IPv6")} subnets must be /{min} to /{max}");
            return false;
        }
        var reserved = Unusable.FirstOrDefault(u => u.Overlaps(c));
        if (reserved != default)
        {
            v.Add(field, $"{c} lies in {reserved}, which is not ordinary unicast space (loopback, link-local, multicast or reserved); use a private range such as 10.0.0.0/8 or fd00::/8");
            return false;
        }
        return true;
    }

    /// <summary>An address a host may hold: inside the subnet, not the network address, not the IPv4 broadcast.</summary>
    public static string? UsableAddressError(IpCidr cidr, IPAddress address, string what)
    {
        if (!cidr.Contains(address)) return $"{what} {address} is outside the subnet {cidr}";
        if (address.Equals(cidr.Network)) return $"{what} {address} is the subnet's network address; use an address such as {IpMath.FromInt(cidr.First + 1, cidr.Version)}";
        if (cidr.Version == IpVersion.V4 && IpMath.ToInt(address) == cidr.Last) return $"{what} {address} is the subnet's broadcast address";
        return null;
    }

    static ImmutableArray<AddressRange> Ranges(Violations v, string field, IEnumerable<Infra.V1.AddressRange> input, IpCidr? cidr, IPAddress? gateway)
    {
        var list = input.ToList();
        if (list.Count > MaxAllocationRanges) v.Add(field, $"has {list.Count} ranges; at most {MaxAllocationRanges} are allowed");
        var parsed = new List<(int Index, UInt128 First, UInt128 Last, AddressRange Range)>();
        for (var i = 0; i < list.Count; i++)
        {
            var path = Violations.Index(field, i);
            var first = v.Address(Violations.Path(path, "first"), list[i].First);
            var last = v.Address(Violations.Path(path, "last"), list[i].Last);
            if (first is null || last is null || cidr is not { } c) continue;
            var ok = v.Check(Violations.Path(path, "first"), UsableAddressError(c, first, "first address"))
                   & v.Check(Violations.Path(path, "last"), UsableAddressError(c, last, "last address"));
            if (!ok) continue;
            var (a, b) = (IpMath.ToInt(first), IpMath.ToInt(last));
            if (a > b) { v.Add(path, $"first {first} is after last {last}; swap them"); continue; }
            if (gateway is not null && c.Contains(gateway) && IpMath.ToInt(gateway) >= a && IpMath.ToInt(gateway) <= b)
            { v.Add(path, $"contains the gateway {gateway}; split the range around it"); continue; }
            parsed.Add((i, a, b, new AddressRange(first, last)));
        }
        foreach (var x in parsed)
            foreach (var y in parsed.Where(y => y.Index > x.Index && y.First <= x.Last && x.First <= y.Last))
                v.Add(Violations.Index(field, y.Index), $"overlaps {field}[{x.Index}] ({x.Range.First}-{x.Range.Last}); ranges must not overlap");
        return [.. parsed.OrderBy(p => p.First).Select(p => p.Range)];
    }

    /// <summary>Rejects subnets that overlap each other or the network's existing ones. Two networks
    /// may share ranges (tenants are isolated); one L2 segment may not, or IPAM would hand out one address twice.</summary>
    public static void CheckOverlaps(Violations v, string field, IReadOnlyList<SubnetSpec?> added, IReadOnlyList<IpCidr> existing)
    {
        for (var i = 0; i < added.Count; i++)
        {
            if (added[i] is not { } s) continue;
            var path = Violations.Path(Violations.Index(field, i), "cidr");
            foreach (var e in existing.Where(e => e.Overlaps(s.Cidr)))
                v.Add(path, $"{s.Cidr} overlaps the network's existing subnet {e}; subnets of one network must not overlap");
            for (var j = 0; j < i; j++)
                if (added[j] is { } t && t.Cidr.Overlaps(s.Cidr))
                    v.Add(path, $"{s.Cidr} overlaps {field}[{j}] ({t.Cidr}); subnets of one network must not overlap");
        }
    }
}
