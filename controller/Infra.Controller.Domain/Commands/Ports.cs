using System.Collections.Immutable;
using System.Net;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>A wanted address: a subnet (IPAM picks the address), an address (its subnet is found
/// from the network), or both. At least one is always set.</summary>
public sealed record FixedIpSpec(IpCidr? Subnet, IPAddress? Address);

public sealed record CreatePort(string? RequestId, string NetworkId, string? Name, MacAddress? Mac,
    ImmutableArray<FixedIpSpec> FixedIps, ImmutableArray<string> PolicyIds, Labels Labels);
public sealed record GetPort(string Id);
public sealed record ListPorts(string? TenantId, string? NetworkId, string? InstanceId, Page Page);
public sealed record UpdatePort(string Id, ImmutableArray<string>? PolicyIds, Labels? Labels, long? ExpectedRevision);
public sealed record DeletePort(string Id);
