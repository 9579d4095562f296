using System.Collections.Immutable;
using System.Net;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>An inclusive address range inside a subnet.</summary>
public sealed record AddressRange(IPAddress First, IPAddress Last);

/// <summary>A validated subnet: canonical CIDR, optional gateway, DNS servers, allocation ranges
/// (empty: the whole subnet minus network, broadcast and gateway).</summary>
public sealed record SubnetSpec(
    IpCidr Cidr,
    IPAddress? Gateway,
    ImmutableArray<IPAddress> DnsServers,
    ImmutableArray<AddressRange> AllocationRanges)
{
    /// <summary>Static routes announced to guests (DHCP option 121, cloud-init routes).</summary>
    public ImmutableArray<HostRoute> HostRoutes { get; init; } = [];
}

/// <summary>A route a subnet's guests install: destination CIDR via a next hop inside the subnet.</summary>
public sealed record HostRoute(IpCidr Destination, IPAddress Nexthop);

public sealed record CreateNetwork(string? RequestId, string TenantId, string Name,
    ImmutableArray<SubnetSpec> Subnets, int Mtu, Labels Labels);
public sealed record GetNetwork(string Id);
public sealed record ListNetworks(string? TenantId, Page Page);
public sealed record UpdateNetwork(string Id, ImmutableArray<SubnetSpec> AddSubnets, Labels? Labels, long? ExpectedRevision);
public sealed record DeleteNetwork(string Id);
public sealed record ListAllocations(string NetworkId, Page Page);
