using System.Globalization;
using Infra.Ctl.Errors;
using Infra.V1;

namespace Infra.Ctl.Cli;

/// <summary>
/// Pure parsers for the compact specs flags take: labels "k=v", subnets "CIDR[,gateway=IP][,dns=IP]...",
/// rules "direction=ingress,protocol=tcp,ports=22,cidr=0.0.0.0/0" and NICs "NET[,ip=ADDR][,policy=ID]".
/// They check shape only; the controller validates meaning and reports field paths.
/// </summary>
public static class Specs
{
    public static Dictionary<string, string> Labels(IEnumerable<string>? items)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--label '{item}' must look like key=value");
            d[item[..eq]] = item[(eq + 1)..];
        }
        return d;
    }

    public static Subnet Subnet(string spec)
    {
        var (head, pairs) = Split(spec, "--subnet", "CIDR[,gateway=IP][,dns=IP]...[,range=FIRST-LAST][,route=DEST@NEXTHOP]");
        var s = new Subnet { Cidr = head ?? throw new UsageException($"--subnet '{spec}' must start with a CIDR such as 10.0.0.0/24") };
        foreach (var (k, v) in pairs)
            switch (k)
            {
                case "gateway": s.Gateway = v; break;
                case "dns": s.DnsServers.AddRange(v.Split(';', StringSplitOptions.RemoveEmptyEntries)); break;
                case "range":
                    var dash = v.IndexOf('-');
                    if (dash <= 0) throw new UsageException($"--subnet range '{v}' must look like FIRST-LAST");
                    s.AllocationRanges.Add(new AddressRange { First = v[..dash], Last = v[(dash + 1)..] });
                    break;
                case "route":
                    // '@' because ',' and '=' already split the spec: route=192.168.0.0/16@10.0.0.254
                    var at = v.IndexOf('@');
                    if (at <= 0) throw new UsageException($"--subnet route '{v}' must look like DEST_CIDR@NEXTHOP");
                    s.HostRoutes.Add(new HostRoute { Destination = v[..at], Nexthop = v[(at + 1)..] });
                    break;
                default: throw new UsageException($"--subnet '{spec}': unknown key '{k}' (known: gateway, dns, range, route)");
            }
        return s;
    }

    public static PortSpec Nic(string spec)
    {
        var (head, pairs) = Split(spec, "--network", "NETWORK_ID[,ip=ADDRESS][,policy=POLICY_ID]");
        var p = new PortSpec { NetworkId = head ?? throw new UsageException($"--network '{spec}' must start with a network id") };
        foreach (var (k, v) in pairs)
            switch (k)
            {
                case "ip": p.FixedIps.Add(new FixedIp { Address = v }); break;
                case "policy": p.PolicyIds.Add(v); break;
                default: throw new UsageException($"--network '{spec}': unknown key '{k}' (known: ip, policy)");
            }
        return p;
    }

    /// <summary>A --fixed-ip "ADDRESS" or "SUBNET_CIDR=ADDRESS".</summary>
    public static FixedIp FixedIp(string spec)
    {
        var eq = spec.IndexOf('=');
        return eq < 0 ? new FixedIp { Address = spec } : new FixedIp { SubnetCidr = spec[..eq], Address = spec[(eq + 1)..] };
    }

    public static Rule RuleSpec(string spec)
    {
        var (head, pairs) = Split(spec, "--rule", "direction=ingress|egress[,protocol=..][,ports=N[-M]][,cidr=..|,remote-policy=..][,ip-version=4|6][,description=..]");
        if (head is not null) throw new UsageException($"--rule '{spec}': '{head}' is not key=value (for example direction=ingress,protocol=tcp,ports=22,cidr=0.0.0.0/0)");
        string? dir = null, proto = null, ports = null, cidr = null, remotePolicy = null, ipv = null, desc = null;
        foreach (var (k, v) in pairs)
            switch (k)
            {
                case "direction": dir = v; break;
                case "protocol": proto = v; break;
                case "ports": ports = v; break;
                case "cidr": cidr = v; break;
                case "remote-policy": remotePolicy = v; break;
                case "ip-version": ipv = v; break;
                case "description": desc = v; break;
                default: throw new UsageException($"--rule '{spec}': unknown key '{k}' (known: direction, protocol, ports, cidr, remote-policy, ip-version, description)");
            }
        return Rule(dir, proto, ports, cidr, remotePolicy, ipv, desc);
    }

    public static Rule Rule(string? direction, string? protocol, string? ports, string? cidr, string? remotePolicy, string? ipVersion, string? description)
    {
        if (direction is null) throw new UsageException("a rule needs a direction (ingress or egress)");
        if (cidr is not null && remotePolicy is not null) throw new UsageException("a rule has either a remote cidr or a remote policy, not both");
        var r = new Rule
        {
            Direction = Enums.Parse<Direction>(direction, "direction"),
            Protocol = protocol is null ? Protocol.Any : Enums.Parse<Protocol>(protocol, "protocol"),
            IpVersion = ipVersion switch { null => IpVersion.Unspecified, "4" => IpVersion._4, "6" => IpVersion._6, _ => throw new UsageException($"ip version '{ipVersion}' must be 4 or 6") },
            Description = description ?? "",
        };
        if (ports is not null)
        {
            var dash = ports.IndexOf('-');
            r.PortMin = Port(dash < 0 ? ports : ports[..dash], ports);
            r.PortMax = dash < 0 ? r.PortMin : Port(ports[(dash + 1)..], ports);
        }
        if (cidr is not null) r.RemoteCidr = cidr;
        if (remotePolicy is not null) r.RemotePolicyId = remotePolicy;
        return r;
    }

    static uint Port(string s, string whole) =>
        uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535 ? p
        : throw new UsageException($"ports '{whole}' must be a port (1-65535) or a range like 8000-8080");

    /// <summary>"head,k=v,k=v" -> head (the first element when it has no '='), then the pairs in order.</summary>
    static (string? Head, List<(string, string)> Pairs) Split(string spec, string flag, string shape)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        string? head = null;
        var pairs = new List<(string, string)>();
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq < 0 && i == 0 && parts[i].Length > 0) { head = parts[i]; continue; }
            if (eq <= 0) throw new UsageException($"{flag} '{spec}' must look like {shape}");
            pairs.Add((parts[i][..eq].ToLowerInvariant(), parts[i][(eq + 1)..]));
        }
        return (head, pairs);
    }
}

/// <summary>Enum values as people type and read them: "running" for INSTANCE_STATE_RUNNING.</summary>
public static class Enums
{
    public static T Parse<T>(string text, string what) where T : struct, Enum
    {
        var wanted = text.Replace("-", "").Replace("_", "");
        foreach (var v in Enum.GetValues<T>())
            if (string.Equals(v.ToString(), wanted, StringComparison.OrdinalIgnoreCase) && !v.ToString().Equals("Unspecified", StringComparison.Ordinal))
                return v;
        throw new UsageException($"{what} '{text}' must be one of: {string.Join(", ", Names<T>())}");
    }

    public static string[] Names<T>() where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => v.ToString()).Where(n => n != "Unspecified").Select(n => n.ToLowerInvariant()).ToArray();

    public static string Show<T>(T v) where T : struct, Enum => v.ToString() == "Unspecified" ? "-" : v.ToString().ToUpperInvariant();
}
