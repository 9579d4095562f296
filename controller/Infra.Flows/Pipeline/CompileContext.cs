using System.Net;
using System.Net.Sockets;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

/// <summary>
/// The input, checked and indexed once: every stage reads from here. Building it collects every
/// problem with the input rather than stopping at the first, so a controller bug is reported whole.
/// Everything is sorted by a stable key so that the flows never depend on input order.
/// </summary>
internal sealed partial class CompileContext
{
    public required IReadOnlyList<TenantInfo> Tenants { get; init; }
    public required IReadOnlyList<PortView> LocalPorts { get; init; }
    public required IReadOnlyList<PortView> RemotePorts { get; init; }
    public required IReadOnlyList<Policy> Policies { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<PortView>> PortsByTenant { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<PortView>> MembersByPolicy { get; init; }

    public static CompileContext Build(HostState s, List<string> errors)
    {
        var tenants = CheckTenants(s, errors);
        var peers = CheckPeers(s, errors);
        var policies = CheckPolicies(s, tenants, errors);
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var local = new List<PortView>();
        var ofports = new HashSet<int>(peers.Values.Select(p => p.TunnelOfPort));
        foreach (var p in s.LocalPorts ?? [])
        {
            if (p.OfPort <= 0 || p.OfPort >= 0xff00) errors.Add($"local port {p.Id}: ofport {p.OfPort} is not a valid port number (1..65279)");
            else if (!ofports.Add(p.OfPort)) errors.Add($"local port {p.Id}: ofport {p.OfPort} is already used by another port or tunnel");
            if (ParsePort(p.Id, p.Tenant, p.Mac, p.Addresses, p.Policies, tenants, policies, seenIds, errors) is { } v)
                local.Add(v with { OfPort = p.OfPort });
        }
        if (s.GuestServices is { } g)
        {
            if (g.OfPort <= 0 || g.OfPort >= 0xff00) errors.Add($"guest services: ofport {g.OfPort} is not a valid port number (1..65279)");
            else if (!ofports.Add(g.OfPort)) errors.Add($"guest services: ofport {g.OfPort} is already used by a VM port or tunnel");
        }
        var remote = new List<PortView>();
        foreach (var p in s.RemotePorts ?? [])
        {
            Peer? peer = null;
            if (p.HostId == s.Host.Id) errors.Add($"remote port {p.Id}: its host {p.HostId} is this host; list it as a local port");
            else if (!peers.TryGetValue(p.HostId ?? "", out peer)) errors.Add($"remote port {p.Id}: no peer entry for its host {p.HostId}; add the host's tunnel to Peers");
            if (ParsePort(p.Id, p.Tenant, p.Mac, p.Addresses, p.Policies, tenants, policies, seenIds, errors) is { } v && peer is not null)
                remote.Add(v with { Peer = peer });
        }
        local.Sort((a, b) => a.OfPort!.Value.CompareTo(b.OfPort!.Value));
        remote.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        var all = local.Concat(remote).ToList();
        CheckUniqueBindings(all, errors);
        return new CompileContext
        {
            Tenants = tenants.Values.OrderBy(t => t.TunnelKey).ToList(),
            LocalPorts = local,
            RemotePorts = remote,
            Policies = policies.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList(),
            PortsByTenant = all.GroupBy(p => p.Tenant.Id).ToDictionary(g => g.Key, g => (IReadOnlyList<PortView>)g.ToList()),
            MembersByPolicy = all.SelectMany(p => p.Policies.Distinct().Select(pol => (pol, p)))
                .GroupBy(x => x.pol).ToDictionary(g => g.Key, g => (IReadOnlyList<PortView>)g.Select(x => x.p).ToList()),
        };
    }

    private static PortView? ParsePort(string id, string tenant, string mac, IReadOnlyList<string>? addresses, IReadOnlyList<string>? pols,
        Dictionary<string, TenantInfo> tenants, Dictionary<string, Policy> policies, HashSet<string> seenIds, List<string> errors)
    {
        var ok = true;
        if (string.IsNullOrEmpty(id)) { errors.Add("a port has an empty id"); return null; }
        if (!seenIds.Add(id)) { errors.Add($"port {id}: listed more than once"); ok = false; }
        if (!tenants.TryGetValue(tenant ?? "", out var t)) { errors.Add($"port {id}: tenant {tenant} is not in Tenants"); ok = false; }
        if (!Flows.Mac.TryParse(mac, out var m)) { errors.Add($"port {id}: MAC '{mac}' is not aa:bb:cc:dd:ee:ff"); ok = false; }
        else if (m.IsMulticast || m.Value == 0) { errors.Add($"port {id}: MAC {mac} is multicast or zero; a NIC needs a unicast MAC"); ok = false; }
        var v4 = new List<IPAddress>();
        var v6 = new List<IPAddress>();
        foreach (var a in addresses ?? [])
        {
            if (!IPAddress.TryParse(a, out var ip)) { errors.Add($"port {id}: address '{a}' is not an IP address"); ok = false; }
            else if (ip.AddressFamily == AddressFamily.InterNetwork) v4.Add(ip);
            else v6.Add(ip);
        }
        foreach (var pol in pols ?? [])
        {
            if (!policies.TryGetValue(pol, out var p)) { errors.Add($"port {id}: policy {pol} is not in Policies"); ok = false; }
            else if (p.Tenant != tenant) { errors.Add($"port {id}: policy {pol} belongs to tenant {p.Tenant}, not the port's tenant {tenant}"); ok = false; }
        }
        if (!ok) return null;
        var ll = m.LinkLocal();
        if (!v6.Contains(ll)) v6.Add(ll);
        v4.Sort(CompareAddresses);
        v6.Sort(CompareAddresses);
        var sortedPolicies = (pols ?? []).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToList();
        return new PortView(id, t!, m, v4, v6, sortedPolicies, null, null);
    }

    internal static int CompareAddresses(IPAddress a, IPAddress b)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        var c = x.Length.CompareTo(y.Length);
        return c != 0 ? c : x.AsSpan().SequenceCompareTo(y);
    }

    private static void CheckUniqueBindings(List<PortView> all, List<string> errors)
    {
        foreach (var g in all.GroupBy(p => (p.Tenant.Id, p.Mac)).Where(g => g.Count() > 1))
            errors.Add($"tenant {g.Key.Item1}: MAC {g.Key.Mac} is used by ports {string.Join(", ", g.Select(p => p.Id))}");
        foreach (var g in all.SelectMany(p => p.AllAddresses.Select(a => (p, a))).GroupBy(x => (x.p.Tenant.Id, x.a)).Where(g => g.Count() > 1))
            errors.Add($"tenant {g.Key.Item1}: address {g.Key.a} is used by ports {string.Join(", ", g.Select(x => x.p.Id))}");
    }
}
