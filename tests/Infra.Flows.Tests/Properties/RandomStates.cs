using Infra.Flows.Model;

namespace Infra.Flows.Tests.Properties;

/// <summary>
/// Valid random host states from a seed: a few tenants (some sharing address ranges), local and
/// remote ports, peers, and policies with CIDR and remote-policy rules of every protocol.
/// </summary>
internal static class RandomStates
{
    public static HostState Make(int seed)
    {
        var r = new Random(seed);
        var tenantCount = r.Next(1, 4);
        var tenants = Enumerable.Range(1, tenantCount).Select(i => new TenantInfo($"t{i}", (uint)(7000 + i), (ushort)i)).ToList();
        var peers = Enumerable.Range(2, r.Next(1, 4)).Select(h => new Peer($"h{h}", 200 + h)).ToList();
        var policies = new List<Policy>();
        foreach (var t in tenants)
        {
            var ids = Enumerable.Range(1, r.Next(1, 4)).Select(i => $"{t.Id}-pol{i}").ToList();
            foreach (var id in ids)
                policies.Add(new Policy(id, t.Id, Enumerable.Range(0, r.Next(0, 5)).Select(_ => Rule(r, ids)).ToList()));
        }
        var local = new List<LocalPort>();
        var remote = new List<RemotePort>();
        var ofport = 1;
        foreach (var t in tenants)
        {
            var pols = policies.Where(p => p.Tenant == t.Id).Select(p => p.Id).ToList();
            var n = r.Next(1, 5) + r.Next(0, 4);
            for (var i = 1; i <= n; i++)
            {
                // Every tenant numbers from 10.0.0.1 and the same MACs: overlap is the normal case.
                var mac = $"fa:16:3e:00:00:{i:x2}";
                var addrs = new List<string> { $"10.0.0.{i}" };
                if (r.Next(2) == 0) addrs.Add($"2001:db8::{i:x}");
                var mine = pols.Where(_ => r.Next(2) == 0).ToList();
                if (i == 1 || r.Next(3) == 0)
                    local.Add(new LocalPort($"{t.Id}-p{i}", t.Id, ofport++, mac, addrs, mine));
                else
                    remote.Add(new RemotePort($"{t.Id}-p{i}", t.Id, mac, addrs, peers[r.Next(peers.Count)].HostId, mine));
            }
        }
        return new HostState(new HostInfo("h1", "192.0.2.1"), tenants, local, remote, peers, policies);
    }

    private static PolicyRule Rule(Random r, List<string> tenantPolicies)
    {
        var v6 = r.Next(2) == 0;
        var proto = (Protocol)r.Next(0, 4) switch
        {
            Protocol.Icmp when v6 => Protocol.Icmpv6,
            var p => p,
        };
        int? lo = null, hi = null;
        if (proto is Protocol.Tcp or Protocol.Udp && r.Next(3) > 0)
        {
            lo = r.Next(1, 65000);
            hi = lo + (r.Next(2) == 0 ? 0 : r.Next(0, 500));
        }
        string? cidr = null, remote = null;
        switch (r.Next(3))
        {
            case 0: cidr = v6 ? "2001:db8::/64" : "10.0.0.0/24"; break;
            case 1: remote = tenantPolicies[r.Next(tenantPolicies.Count)]; break;
        }
        return new PolicyRule(r.Next(2) == 0 ? Direction.Ingress : Direction.Egress, proto, v6 ? EtherType.V6 : EtherType.V4, lo, hi, cidr, remote);
    }

    /// <summary>The same state with every list (and every port's addresses and policies) reordered.</summary>
    public static HostState Shuffle(HostState s, int seed)
    {
        var r = new Random(seed);
        List<T> Mix<T>(IEnumerable<T> xs) => xs.OrderBy(_ => r.Next()).ToList();
        return s with
        {
            Tenants = Mix(s.Tenants),
            LocalPorts = Mix(s.LocalPorts.Select(p => p with { Addresses = Mix(p.Addresses), Policies = Mix(p.Policies) })),
            RemotePorts = Mix(s.RemotePorts.Select(p => p with { Addresses = Mix(p.Addresses), Policies = Mix(p.Policies) })),
            Peers = Mix(s.Peers),
            Policies = Mix(s.Policies.Select(p => p with { Rules = Mix(p.Rules) })),
        };
    }
}
