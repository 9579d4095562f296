using System.Globalization;
using System.Net;
using Infra.Agent.Core.State;
using Infra.Agent.Network.Guests.Responder;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Pure: the snapshot's PortBinding.guest entries -> the responder's configuration by ofport. A port
/// without a guest entry (or without an ofport) gets no answers; one whose entry does not parse is
/// left out and nacked, so a bad address is an error the operator sees, never a wrong lease.
/// </summary>
public static class GuestMapping
{
    public static Mapped<IReadOnlyList<GuestPortConfig>> ToGuestPorts(DesiredSnapshot snapshot)
    {
        var errors = new List<ResourceError>();
        var ports = new List<GuestPortConfig>();
        foreach (var p in snapshot.OfKind(DesiredKind.Port).Select(r => r.Port))
        {
            if (p.Guest is null || p.Ofport == 0) continue;
            var problems = new List<string>();
            var config = Map(p, problems);
            if (problems.Count > 0) errors.Add(NetworkMapping.Error(DesiredKind.Port, p.Id, "guest: " + string.Join("; ", problems)));
            else ports.Add(config!);
        }
        return new(ports, errors);
    }

    static GuestPortConfig? Map(PortBinding p, List<string> problems)
    {
        var g = p.Guest;
        var mac = ParseMac(p.MacAddress);
        if (mac is null) problems.Add($"mac_address '{p.MacAddress}' is not a MAC address");
        var v4 = Address(g.Ipv4Address, "ipv4_address", problems);
        var gw4 = Address(g.Ipv4Gateway, "ipv4_gateway", problems);
        var v6 = Address(g.Ipv6Address, "ipv6_address", problems);
        var gw6 = Address(g.Ipv6Gateway, "ipv6_gateway", problems);
        if (v4 is not null && g.Ipv4PrefixLength is < 1 or > 32) problems.Add($"ipv4_prefix_length {g.Ipv4PrefixLength} must be 1..32");
        if (v6 is not null && g.Ipv6PrefixLength is < 1 or > 128) problems.Add($"ipv6_prefix_length {g.Ipv6PrefixLength} must be 1..128");
        var dns = new List<IPAddress>();
        foreach (var d in g.DnsServers) if (Address(d, "dns_servers", problems) is { } a) dns.Add(a);
        var routes = new List<(IPNetwork, IPAddress)>();
        foreach (var r in g.Routes)
        {
            if (!IPNetwork.TryParse(r.Destination, out var dest)) { problems.Add($"route destination '{r.Destination}' is not a CIDR"); continue; }
            if (Address(r.Nexthop, "route nexthop", problems) is { } via) routes.Add((dest, via));
        }
        if (problems.Count > 0) return null;
        return new GuestPortConfig((int)p.Ofport, mac!.Value, v4, (int)g.Ipv4PrefixLength, gw4,
            v6 is null ? null : new IPNetwork(Masked(v6, (int)g.Ipv6PrefixLength), (int)g.Ipv6PrefixLength), gw6, g.Ipv6Slaac,
            dns, (int)g.Mtu, routes, g.Hostname.Length > 0 ? g.Hostname : null);
    }

    static IPAddress? Address(string text, string field, List<string> problems)
    {
        if (text.Length == 0) return null;
        if (IPAddress.TryParse(text, out var a)) return a;
        problems.Add($"{field} '{text}' is not an IP address");
        return null;
    }

    static ulong? ParseMac(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6) return null;
        ulong v = 0;
        foreach (var part in parts)
        {
            if (part.Length != 2 || !byte.TryParse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)) return null;
            v = (v << 8) | b;
        }
        return v;
    }

    static IPAddress Masked(IPAddress a, int prefix)
    {
        var b = a.GetAddressBytes();
        for (var i = 0; i < b.Length; i++)
        {
            var keep = Math.Clamp(prefix - 8 * i, 0, 8);
            b[i] &= (byte)(0xff << (8 - keep));
        }
        return new IPAddress(b);
    }
}
