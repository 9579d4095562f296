using System.Net;
using System.Net.Sockets;

namespace Infra.Controller.Core.Ipam;

/// <summary>
/// One subnet of a network as IPAM sees it: the CIDR, the gateway (never handed out) and any extra
/// reserved addresses (e.g. a DHCP or metadata service). IPv4 also never hands out the network and
/// broadcast addresses; IPv6 never hands out the subnet-router anycast address (host part all zeros)
/// nor, in subnets of at least 256 addresses, the top 128 (reserved anycast, RFC 2526).
/// <para>Allocation ranges (inclusive first-last pairs), when given, limit what IPAM picks on its own;
/// an address a user asks for explicitly may lie outside them, as long as it is assignable.</para>
/// </summary>
public sealed record SubnetSpec(IPNetwork Cidr, IPAddress? Gateway = null, IReadOnlyList<IPAddress>? Reserved = null,
    IReadOnlyList<(IPAddress First, IPAddress Last)>? Ranges = null)
{
    public static SubnetSpec Parse(string cidr, string? gateway = null, params string[] reserved) =>
        new(IPNetwork.Parse(cidr), gateway is null ? null : IPAddress.Parse(gateway), reserved.Select(IPAddress.Parse).ToArray());

    public AddressFamily Family => Cidr.BaseAddress.AddressFamily;
    public bool IsV4 => Family == AddressFamily.InterNetwork;
    public int HostBits => (IsV4 ? 32 : 128) - Cidr.PrefixLength;

    /// <summary>Every problem at once; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IsV4 && Cidr.PrefixLength > 30) errors.Add($"IPv4 subnet {Cidr} leaves no host addresses: use /30 or larger (shorter prefix)");
        if (!IsV4 && Cidr.PrefixLength > 120) errors.Add($"IPv6 subnet {Cidr} is too small: use /120 or larger (shorter prefix)");
        if (Gateway is not null && !Cidr.Contains(Gateway)) errors.Add($"gateway {Gateway} is outside subnet {Cidr}");
        foreach (var r in Reserved ?? []) if (!Cidr.Contains(r)) errors.Add($"reserved address {r} is outside subnet {Cidr}");
        foreach (var (first, last) in Ranges ?? [])
            if (!Cidr.Contains(first) || !Cidr.Contains(last) || AddressMath.ToNumber(first) > AddressMath.ToNumber(last))
                errors.Add($"allocation range {first}-{last} must lie inside subnet {Cidr} with first <= last");
        return errors;
    }

    /// <summary>May IPAM pick this address on its own: inside an allocation range, if there are any?</summary>
    public bool InRanges(IPAddress address)
    {
        if (Ranges is not { Count: > 0 }) return true;
        var n = AddressMath.ToNumber(address);
        foreach (var (first, last) in Ranges)
            if (n >= AddressMath.ToNumber(first) && n <= AddressMath.ToNumber(last)) return true;
        return false;
    }

    /// <summary>May this address be handed out to a port?</summary>
    public bool IsAssignable(IPAddress address)
    {
        if (address.AddressFamily != Family || !Cidr.Contains(address)) return false;
        var offset = AddressMath.Offset(Cidr, address);
        var size = AddressMath.Size(this);
        if (offset == 0) return false; // v4 network address, v6 subnet-router anycast
        if (IsV4 && offset == size - 1) return false; // broadcast
        if (!IsV4 && HostBits >= 8 && offset >= size - 128) return false; // RFC 2526 anycast
        if (Gateway is not null && Gateway.Equals(address)) return false;
        return Reserved is null || !Reserved.Contains(address);
    }
}
