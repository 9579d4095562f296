namespace Infra.Flows.Model;

public enum Direction { Ingress, Egress }

public enum Protocol { Any, Tcp, Udp, Icmp, Icmpv6 }

public enum EtherType { V4, V6 }

/// <summary>A security group: a set of allow rules. Ports reference it by id.</summary>
public sealed record Policy(string Id, string Tenant, IReadOnlyList<PolicyRule> Rules);

/// <summary>
/// One allow rule. Exactly one of RemoteCidr / RemotePolicy may be set; neither means "anywhere".
/// PortMin/PortMax apply to tcp and udp only (destination port), both null meaning every port.
/// </summary>
public sealed record PolicyRule(
    Direction Direction,
    Protocol Protocol,
    EtherType EtherType,
    int? PortMin = null,
    int? PortMax = null,
    string? RemoteCidr = null,
    string? RemotePolicy = null);
