using Infra.Controller.Domain.Guests;
using Infra.Controller.Southbound.Cluster;
using V1 = Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>
/// What the host's DHCP/RA responder tells each local NIC, as PortBinding.guest. Computed per
/// instance (its NICs in order), because GuestNetwork puts the default gateway of a family on the
/// instance's first NIC only; the config drive is built from the same rule, so a guest that reads
/// both hears the same thing. A NIC whose network is missing gets no guest config (no answer).
/// </summary>
internal static class GuestBindings
{
    public static Dictionary<string, V1.GuestAddress> For(ClusterSnapshot s, V1.Instance instance, IReadOnlyList<string> nics)
    {
        var ports = nics.Select(id => s.Ports[id]).ToList();
        var result = new Dictionary<string, V1.GuestAddress>(StringComparer.Ordinal);
        foreach (var nic in GuestNetwork.For(ports, s.Networks))
            result[nic.PortId] = Map(nic, Guest.ConfigDriveComposer.Hostname(instance));
        return result;
    }

    static V1.GuestAddress Map(GuestNic nic, string hostname)
    {
        var g = new V1.GuestAddress { Mtu = (uint)nic.Mtu, Ipv6Slaac = nic.V6Slaac, Hostname = hostname };
        if (nic.V4 is { } v4) { g.Ipv4Address = v4.Address.ToString(); g.Ipv4PrefixLength = (uint)v4.PrefixLength; }
        if (nic.Gateway4 is { } gw4) g.Ipv4Gateway = gw4.ToString();
        if (nic.V6 is { } v6) { g.Ipv6Address = v6.Address.ToString(); g.Ipv6PrefixLength = (uint)v6.PrefixLength; }
        if (nic.Gateway6 is { } gw6) g.Ipv6Gateway = gw6.ToString();
        g.DnsServers.AddRange(nic.DnsServers.Select(d => d.ToString()));
        g.Routes.AddRange(nic.Routes.Select(r => new V1.GuestRoute { Destination = r.Destination.ToString(), Nexthop = r.Nexthop.ToString() }));
        return g;
    }
}
