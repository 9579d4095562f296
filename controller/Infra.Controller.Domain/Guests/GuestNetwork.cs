using System.Collections.Immutable;
using System.Net;
using Infra.Controller.Domain.Model;
using V1 = Infra.V1;

namespace Infra.Controller.Domain.Guests;

/// <summary>One address of a NIC with the prefix length of its subnet.</summary>
public sealed record GuestIp(IPAddress Address, int PrefixLength)
{
    public IpVersion Version => IpMath.VersionOf(Address);
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A static route a guest installs on one NIC.</summary>
public sealed record GuestRoute(IpCidr Destination, IPAddress Nexthop);

/// <summary>
/// The L3 configuration of one NIC, as the guest gets it by DHCP/RA or from cloud-init's
/// network-config. Gateways are the default routes: set only on the first NIC of each family.
/// </summary>
public sealed record GuestNic(
    string PortId,
    MacAddress Mac,
    GuestIp? V4,
    IPAddress? Gateway4,
    GuestIp? V6,
    IPAddress? Gateway6,
    bool V6Slaac,
    ImmutableArray<IPAddress> DnsServers,
    int Mtu,
    ImmutableArray<GuestRoute> Routes);

/// <summary>
/// The one rule for what a guest's NICs are configured with; the host's DHCP responder and router
/// advertisements (through the southbound PortBinding) and the config drive's network-config both
/// come from here, so the two paths can never disagree.
/// <list type="bullet">
/// <item>Each NIC gets its port's first IPv4 and first IPv6 address with their subnets' prefix
/// lengths (a NIC in DHCP has exactly one lease; extra fixed IPs only reach a config drive's
/// guest through <see cref="GuestNic"/> consumers that want them, which none does today).</item>
/// <item>The default gateway of a family goes on the FIRST NIC (in the instance's order) whose
/// subnet of that family has a gateway; later NICs get none, or the guest would have several
/// default routes and pick one by chance.</item>
/// <item>Host routes of a subnet go on every NIC in that subnet (they name their next hop).</item>
/// <item>DNS: the servers of the NIC's subnets, v4 subnet first, without duplicates.</item>
/// <item>MTU: the network's (0 means the default 1450, room for the GRE overlay).</item>
/// <item>An IPv6 /64 whose address is the MAC's modified EUI-64 is configured by SLAAC.</item>
/// </list>
/// Ports or networks that are missing yield no NIC entry for that port (the caller reports them).
/// </summary>
public static class GuestNetwork
{
    public const int DefaultMtu = 1450;

    public static ImmutableArray<GuestNic> For(IEnumerable<V1.Port> nicsInOrder, IReadOnlyDictionary<string, V1.Network> networks)
    {
        var result = ImmutableArray.CreateBuilder<GuestNic>();
        var gateway4Taken = false;
        var gateway6Taken = false;
        foreach (var port in nicsInOrder)
        {
            if (!networks.TryGetValue(port.NetworkId, out var net)) continue;
            if (!MacAddress.TryParse(port.MacAddress, out var mac, out _)) continue;
            GuestIp? v4 = null, v6 = null;
            V1.Subnet? s4 = null, s6 = null;
            foreach (var ip in port.FixedIps)
            {
                var subnet = net.Subnets.FirstOrDefault(s => s.Cidr == ip.SubnetCidr);
                if (subnet is null || !IpCidr.TryParse(subnet.Cidr, out var cidr, out _)) continue;
                if (!IpMath.TryParseAddress(ip.Address, out var address) || !cidr.Contains(address)) continue;
                if (cidr.Version == IpVersion.V4 && v4 is null) { v4 = new GuestIp(address, cidr.PrefixLength); s4 = subnet; }
                else if (cidr.Version == IpVersion.V6 && v6 is null) { v6 = new GuestIp(address, cidr.PrefixLength); s6 = subnet; }
            }
            IPAddress? gw4 = null, gw6 = null;
            if (!gateway4Taken && Gateway(s4) is { } g4) { gw4 = g4; gateway4Taken = true; }
            if (!gateway6Taken && Gateway(s6) is { } g6) { gw6 = g6; gateway6Taken = true; }
            var dns = new List<IPAddress>();
            foreach (var s in new[] { s4, s6 }.OfType<V1.Subnet>())
                foreach (var d in s.DnsServers)
                    if (IpMath.TryParseAddress(d, out var a) && !dns.Contains(a)) dns.Add(a);
            var routes = new List<GuestRoute>();
            foreach (var s in new[] { s4, s6 }.OfType<V1.Subnet>())
                foreach (var r in s.HostRoutes)
                    if (IpCidr.TryParse(r.Destination, out var dest, out _) && IpMath.TryParseAddress(r.Nexthop, out var via))
                        routes.Add(new GuestRoute(dest, via));
            var slaac = v6 is { PrefixLength: 64 } && v6.Address.Equals(Slaac.Address(v6.Address, mac));
            result.Add(new GuestNic(port.Meta?.Id ?? "", mac, v4, gw4, v6, gw6, slaac, [.. dns],
                net.Mtu == 0 ? DefaultMtu : (int)net.Mtu, [.. routes]));
        }
        return result.ToImmutable();
    }

    static IPAddress? Gateway(V1.Subnet? s) =>
        s is not null && s.Gateway.Length > 0 && IpMath.TryParseAddress(s.Gateway, out var g) ? g : null;
}
