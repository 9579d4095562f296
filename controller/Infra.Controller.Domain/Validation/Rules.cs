using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Model;
using Wire = Infra.V1;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Rule rules: a direction is required; ports apply only to TCP and UDP (0/0 = all ports); ICMP
/// is IPv4-only and ICMPv6 IPv6-only, so a missing ip_version is inferred from them, as it is
/// from remote_cidr; contradictions are errors rather than silently matching nothing.
/// </summary>
public static class RuleValidation
{
    public const int MaxRules = 256;

    public static RuleSpec? Rule(Violations v, string field, Wire.Rule r, bool idAllowed)
    {
        var start = v.Count;
        string P(string child) => Violations.Path(field, child);

        string? id = null;
        if (r.Id.Length > 0 && !idAllowed) v.Add(P("id"), "rule ids are assigned by the server; leave id empty");
        else id = v.Id(P("id"), r.Id, IdKind.Rule, required: false);

        Direction direction = default;
        if (r.Direction == Wire.Direction.Unspecified) v.Add(P("direction"), "is required: INGRESS (arriving at the port) or EGRESS (leaving it)");
        else if (v.Defined(P("direction"), r.Direction)) direction = r.Direction == Wire.Direction.Ingress ? Direction.Ingress : Direction.Egress;

        var protocol = v.Defined(P("protocol"), r.Protocol) ? (Protocol)(int)r.Protocol : Protocol.Any;
        IpVersion? version = v.Defined(P("ip_version"), r.IpVersion) ? r.IpVersion switch
        {
            Wire.IpVersion._4 => IpVersion.V4,
            Wire.IpVersion._6 => IpVersion.V6,
            _ => null,
        } : null;

        if (protocol == Protocol.Icmp)
        {
            if (version == IpVersion.V6) v.Add(P("ip_version"), "ICMP is IPv4's; use protocol ICMPV6 for IPv6");
            version = IpVersion.V4;
        }
        else if (protocol == Protocol.IcmpV6)
        {
            if (version == IpVersion.V4) v.Add(P("ip_version"), "ICMPV6 is IPv6's; use protocol ICMP for IPv4");
            version = IpVersion.V6;
        }

        var ports = Ports(v, field, protocol, r.PortMin, r.PortMax);
        Remote remote = new Remote.Any();
        switch (r.RemoteCase)
        {
            case Wire.Rule.RemoteOneofCase.RemoteCidr:
                if (v.Cidr(P("remote_cidr"), r.RemoteCidr) is { } cidr)
                {
                    if (version is { } want && want != cidr.Version)
                        v.Add(P("remote_cidr"), $"{cidr} is IPv{(int)cidr.Version} but the rule is IPv{(int)want}{(protocol is Protocol.Icmp or Protocol.IcmpV6 ? $" ({protocol.ToString().ToUpperInvariant()})" : "")}; use an address of the same version");
                    version ??= cidr.Version;
                    remote = new Remote.Cidr(cidr);
                }
                break;
            case Wire.Rule.RemoteOneofCase.RemotePolicyId:
                if (v.Id(P("remote_policy_id"), r.RemotePolicyId, IdKind.Policy) is { } policy) remote = new Remote.Policy(policy);
                break;
        }

        var description = v.Text(P("description"), r.Description, 255);
        return v.Count > start ? null : new RuleSpec(id, direction, protocol, version, ports, remote, description);
    }

    static PortRange? Ports(Violations v, string field, Protocol protocol, uint min, uint max)
    {
        if (min == 0 && max == 0) return null;
        if (protocol is not (Protocol.Tcp or Protocol.Udp))
        {
            v.Add(Violations.Path(field, "port_min"), $"ports apply only to TCP and UDP; for {protocol.ToString().ToUpperInvariant()} set port_min and port_max to 0");
            return null;
        }
        var ok = true;
        if (min < 1 || min > 65535) { v.Add(Violations.Path(field, "port_min"), $"must be 1-65535 (or 0 together with port_max 0 for all ports); got {min}"); ok = false; }
        if (max < 1 || max > 65535) { v.Add(Violations.Path(field, "port_max"), $"must be 1-65535 (or 0 together with port_min 0 for all ports); got {max}"); ok = false; }
        if (ok && min > max) { v.Add(Violations.Path(field, "port_max"), $"{max} is below port_min {min}; port_max is the last port of the range, inclusive"); ok = false; }
        return ok ? new PortRange((int)min, (int)max) : null;
    }

    /// <summary>Validates a rule list; on update, given rule ids must be unique.</summary>
    public static List<RuleSpec?> Rules(Violations v, string field, IList<Wire.Rule> rules, bool idsAllowed)
    {
        if (rules.Count > MaxRules) v.Add(field, $"has {rules.Count} rules; a policy may have at most {MaxRules}");
        var parsed = rules.Select((r, i) => Rule(v, Violations.Index(field, i), r, idsAllowed)).ToList();
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Id.Length == 0) continue;
            if (seen.TryGetValue(rules[i].Id, out var first))
                v.Add(Violations.Path(Violations.Index(field, i), "id"), $"repeats the id of {field}[{first}]; each rule id may appear once");
            else seen[rules[i].Id] = i;
        }
        return parsed;
    }
}
