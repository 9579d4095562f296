using System.Net;
using System.Net.Sockets;
using Infra.Controller.Southbound.Cluster;
using F = Infra.Flows.Model;
using V1 = Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>
/// Maps the API objects to the flow compiler's input for one host: the tenants with a local port,
/// those ports with their ofports, every other port of those tenants on a reachable peer, the peers
/// with their GRE ofports, and the tenants' policies. Anything that would make the compiler reject
/// the whole host (a port of an unknown tenant, a dangling policy id) is left out and reported as a
/// problem instead, so one bad object degrades one port rather than the host.
/// </summary>
internal static class FlowInputMapper
{
    public static F.HostState Map(ClusterSnapshot s, string hostId, IReadOnlyList<V1.Port> localPorts,
        IReadOnlyDictionary<string, int> portOfPorts, IReadOnlyList<(V1.Port Port, string Host)> remotePorts,
        IReadOnlyDictionary<string, int> peerOfPorts, List<string> problems)
    {
        var tenantIds = localPorts.Select(p => p.TenantId).Distinct(StringComparer.Ordinal).ToList();
        var zones = LocalNumbering.CtZones(tenantIds.Select(t => s.Tenants[t].TunnelKey));
        var tenants = tenantIds.Select(t => new F.TenantInfo(t, s.Tenants[t].TunnelKey, zones[s.Tenants[t].TunnelKey])).ToList();
        var tenantSet = tenantIds.ToHashSet(StringComparer.Ordinal);
        var policies = s.Policies.Values.Where(p => tenantSet.Contains(p.TenantId)).ToList();
        var policyTenant = policies.ToDictionary(p => p.Meta.Id, p => p.TenantId, StringComparer.Ordinal);

        IReadOnlyList<string> PolicyIds(V1.Port p)
        {
            var ids = new List<string>();
            foreach (var id in p.PolicyIds.Distinct(StringComparer.Ordinal))
            {
                if (policyTenant.TryGetValue(id, out var t) && t == p.TenantId) ids.Add(id);
                else problems.Add($"port {p.Meta.Id}: policy {id} does not exist in tenant {p.TenantId}; ignored");
            }
            return ids;
        }

        var local = localPorts.Select(p => new F.LocalPort(p.Meta.Id, p.TenantId, portOfPorts[p.Meta.Id], p.MacAddress,
            Addresses(p), PolicyIds(p))).ToList();
        var remote = remotePorts.Select(r => new F.RemotePort(r.Port.Meta.Id, r.Port.TenantId, r.Port.MacAddress,
            Addresses(r.Port), r.Host, PolicyIds(r.Port))).ToList();
        var peers = peerOfPorts.Select(kv => new F.Peer(kv.Key, kv.Value)).ToList();
        var mapped = policies.Select(p => MapPolicy(p, policyTenant, problems)).ToList();
        var tunnelIp = s.Hosts.TryGetValue(hostId, out var h) ? h.Inventory?.TunnelIp ?? "" : "";
        return new F.HostState(new F.HostInfo(hostId, tunnelIp), tenants, local, remote, peers, mapped);
    }

    static IReadOnlyList<string> Addresses(V1.Port p) => p.FixedIps.Select(ip => ip.Address).Where(a => a.Length > 0).ToList();

    static F.Policy MapPolicy(V1.Policy p, Dictionary<string, string> policyTenant, List<string> problems)
    {
        var rules = new List<F.PolicyRule>();
        foreach (var r in p.Rules)
        {
            if (r.RemoteCase == V1.Rule.RemoteOneofCase.RemotePolicyId &&
                (!policyTenant.TryGetValue(r.RemotePolicyId, out var t) || t != p.TenantId))
            {
                problems.Add($"policy {p.Meta.Id} rule {r.Id}: remote policy {r.RemotePolicyId} is not a policy of tenant {p.TenantId}; rule ignored");
                continue;
            }
            var dir = r.Direction == V1.Direction.Egress ? F.Direction.Egress : F.Direction.Ingress;
            var proto = r.Protocol switch
            {
                V1.Protocol.Tcp => F.Protocol.Tcp,
                V1.Protocol.Udp => F.Protocol.Udp,
                V1.Protocol.Icmp => F.Protocol.Icmp,
                V1.Protocol.Icmpv6 => F.Protocol.Icmpv6,
                _ => F.Protocol.Any,
            };
            int? lo = r.PortMin == 0 && r.PortMax == 0 ? null : (int)r.PortMin;
            int? hi = r.PortMin == 0 && r.PortMax == 0 ? null : (int)(r.PortMax == 0 ? r.PortMin : r.PortMax);
            var cidr = r.RemoteCase == V1.Rule.RemoteOneofCase.RemoteCidr ? r.RemoteCidr : null;
            var remotePolicy = r.RemoteCase == V1.Rule.RemoteOneofCase.RemotePolicyId ? r.RemotePolicyId : null;
            foreach (var eth in EtherTypes(r, proto, cidr))
                rules.Add(new F.PolicyRule(dir, proto, eth, lo, hi, cidr, remotePolicy));
        }
        return new F.Policy(p.Meta.Id, p.TenantId, rules);
    }

    /// <summary>An unspecified IP version means both, unless the protocol or the CIDR says which.</summary>
    static IEnumerable<F.EtherType> EtherTypes(V1.Rule r, F.Protocol proto, string? cidr)
    {
        if (r.IpVersion == V1.IpVersion._4) return [F.EtherType.V4];
        if (r.IpVersion == V1.IpVersion._6) return [F.EtherType.V6];
        if (proto == F.Protocol.Icmp) return [F.EtherType.V4];
        if (proto == F.Protocol.Icmpv6) return [F.EtherType.V6];
        if (cidr is not null && IPNetwork.TryParse(cidr, out var net))
            return [net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? F.EtherType.V4 : F.EtherType.V6];
        return [F.EtherType.V4, F.EtherType.V6];
    }
}
