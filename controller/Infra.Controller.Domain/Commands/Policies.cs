using System.Collections.Immutable;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Commands;

/// <summary>The other end of a rule's traffic.</summary>
public abstract record Remote
{
    /// <summary>Any address.</summary>
    public sealed record Any : Remote;
    /// <summary>Addresses in this CIDR.</summary>
    public sealed record Cidr(IpCidr Network) : Remote;
    /// <summary>Ports that carry this policy (same tenant).</summary>
    public sealed record Policy(string PolicyId) : Remote;
}

/// <summary>An inclusive TCP/UDP port range, 1-65535.</summary>
public sealed record PortRange(int Min, int Max);

/// <summary>A validated allow rule. Version null means both IPv4 and IPv6; Ports null means all ports
/// (always null unless the protocol is TCP or UDP). ICMP rules always carry their version.</summary>
public sealed record RuleSpec(string? Id, Direction Direction, Protocol Protocol, IpVersion? Version,
    PortRange? Ports, Remote Remote, string Description);

public sealed record CreatePolicy(string? RequestId, string TenantId, string Name, string Description,
    ImmutableArray<RuleSpec> Rules, Labels Labels);
public sealed record GetPolicy(string Id);
public sealed record ListPolicies(string? TenantId, Page Page);
public sealed record UpdatePolicy(string Id, ImmutableArray<RuleSpec> Rules, string? Description, long? ExpectedRevision);
public sealed record DeletePolicy(string Id);
