using System.Net;
using System.Net.Sockets;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

internal sealed partial class CompileContext
{
    private static Dictionary<string, TenantInfo> CheckTenants(HostState s, List<string> errors)
    {
        var byId = new Dictionary<string, TenantInfo>(StringComparer.Ordinal);
        var keys = new HashSet<uint>();
        var zones = new HashSet<ushort>();
        foreach (var t in s.Tenants ?? [])
        {
            if (!byId.TryAdd(t.Id ?? "", t)) { errors.Add($"tenant {t.Id}: listed more than once"); continue; }
            // tun_id 0 is what every packet from a non-tunnel port carries, so it cannot name a tenant.
            if (t.TunnelKey == 0) errors.Add($"tenant {t.Id}: tunnel key 0 is reserved; allocate keys from 1");
            else if (!keys.Add(t.TunnelKey)) errors.Add($"tenant {t.Id}: tunnel key {t.TunnelKey} is used by another tenant");
            // zone 0 is the default zone that untracked host traffic shares.
            if (t.CtZone == 0) errors.Add($"tenant {t.Id}: conntrack zone 0 is the shared default zone; allocate zones from 1");
            else if (!zones.Add(t.CtZone)) errors.Add($"tenant {t.Id}: conntrack zone {t.CtZone} is used by another tenant");
        }
        return byId;
    }

    private static Dictionary<string, Peer> CheckPeers(HostState s, List<string> errors)
    {
        var byHost = new Dictionary<string, Peer>(StringComparer.Ordinal);
        var ports = new HashSet<int>();
        foreach (var p in s.Peers ?? [])
        {
            if (p.HostId == s.Host.Id) { errors.Add($"peer {p.HostId}: is this host; a host has no tunnel to itself"); continue; }
            if (!byHost.TryAdd(p.HostId ?? "", p)) { errors.Add($"peer {p.HostId}: listed more than once"); continue; }
            if (p.TunnelOfPort <= 0 || p.TunnelOfPort >= 0xff00) errors.Add($"peer {p.HostId}: tunnel ofport {p.TunnelOfPort} is not a valid port number (1..65279)");
            else if (!ports.Add(p.TunnelOfPort)) errors.Add($"peer {p.HostId}: tunnel ofport {p.TunnelOfPort} is used by another peer");
        }
        return byHost;
    }

    private static Dictionary<string, Policy> CheckPolicies(HostState s, Dictionary<string, TenantInfo> tenants, List<string> errors)
    {
        var byId = new Dictionary<string, Policy>(StringComparer.Ordinal);
        foreach (var p in s.Policies ?? [])
        {
            if (!byId.TryAdd(p.Id ?? "", p)) { errors.Add($"policy {p.Id}: listed more than once"); continue; }
            if (!tenants.ContainsKey(p.Tenant ?? "")) errors.Add($"policy {p.Id}: tenant {p.Tenant} is not in Tenants");
        }
        foreach (var p in byId.Values)
        {
            var i = 0;
            foreach (var r in p.Rules ?? [])
                CheckRule($"policy {p.Id} rule {i++}", p, r, byId, errors);
        }
        return byId;
    }

    private static void CheckRule(string where, Policy p, PolicyRule r, Dictionary<string, Policy> policies, List<string> errors)
    {
        if (r.Protocol == Protocol.Icmp && r.EtherType != EtherType.V4) errors.Add($"{where}: icmp needs ethertype v4 (use icmpv6 for v6)");
        if (r.Protocol == Protocol.Icmpv6 && r.EtherType != EtherType.V6) errors.Add($"{where}: icmpv6 needs ethertype v6 (use icmp for v4)");
        if (r.PortMin is not null || r.PortMax is not null)
        {
            if (r.Protocol is not (Protocol.Tcp or Protocol.Udp)) errors.Add($"{where}: a port range needs protocol tcp or udp");
            if (r.PortMin is not { } lo || r.PortMax is not { } hi) errors.Add($"{where}: give both PortMin and PortMax (equal for one port)");
            else if (lo < 1 || hi > 65535 || lo > hi) errors.Add($"{where}: port range {lo}-{hi} is not within 1..65535 in order");
        }
        if (r.RemoteCidr is not null && r.RemotePolicy is not null) errors.Add($"{where}: give RemoteCidr or RemotePolicy, not both");
        if (r.RemoteCidr is not null)
        {
            if (!IPNetwork.TryParse(r.RemoteCidr, out var net)) errors.Add($"{where}: remote CIDR '{r.RemoteCidr}' is not address/prefix with no host bits set");
            else if ((net.BaseAddress.AddressFamily == AddressFamily.InterNetwork) != (r.EtherType == EtherType.V4))
                errors.Add($"{where}: remote CIDR {r.RemoteCidr} is not of the rule's ethertype {r.EtherType}");
        }
        if (r.RemotePolicy is not null)
        {
            if (!policies.TryGetValue(r.RemotePolicy, out var rp)) errors.Add($"{where}: remote policy {r.RemotePolicy} is not in Policies");
            else if (rp.Tenant != p.Tenant) errors.Add($"{where}: remote policy {r.RemotePolicy} belongs to tenant {rp.Tenant}; rules may only name their own tenant's policies");
        }
    }
}
