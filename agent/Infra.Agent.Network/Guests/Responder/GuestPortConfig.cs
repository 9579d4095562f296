using System.Net;

namespace Infra.Agent.Network.Guests.Responder;

/// <summary>
/// What one port's guest is told, keyed by the port's ofport (the tag br-int writes into the
/// destination MAC of its requests). Built from the controller's PortBinding.guest.
/// </summary>
public sealed record GuestPortConfig(
    int OfPort,
    ulong Mac,
    IPAddress? V4Address,
    int V4PrefixLength,
    IPAddress? V4Gateway,
    IPNetwork? V6Prefix,
    IPAddress? V6Gateway,
    bool V6Slaac,
    IReadOnlyList<IPAddress> DnsServers,
    int Mtu,
    IReadOnlyList<(IPNetwork Destination, IPAddress Nexthop)> Routes,
    string? HostName);

/// <summary>Responder settings from the agent's config.</summary>
/// <param name="InterfaceName">The internal port on br-int (infra-dhcp).</param>
/// <param name="LeaseTime">DHCP lease time (network.dhcp_lease_seconds).</param>
/// <param name="RaInterval">Unsolicited RA period (network.router_advertisement_interval_seconds).</param>
public sealed record GuestResponderOptions(string InterfaceName, TimeSpan LeaseTime, TimeSpan RaInterval)
{
    public const string DefaultInterface = "infra-dhcp";
    /// <summary>The ofport the controller's flows send DHCP and RS to (LocalNumbering keeps 1..99 for the agent).</summary>
    public const int OfPort = 99;
    /// <summary>The MAC guests see as their DHCP server and router: "\x0einfra" in ASCII after the first octet.</summary>
    public const ulong RouterMac = 0x0e_69_6e_66_72_61UL;
    /// <summary>Port tags: 0e:74:00:00:HH:LL, HHLL = the ofport (written by br-int, never by a guest).</summary>
    public const ulong TagPrefix = 0x0e_74_00_00_00_00UL;
}
