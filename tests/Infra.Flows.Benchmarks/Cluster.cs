using Infra.Flows.Model;

namespace Infra.Flows.Benchmarks;

/// <summary>
/// A synthetic cluster (hosts, tenants, ports spread at random) and the view of it from one host:
/// its local ports, its tenants' ports elsewhere, the peers those live on, the tenants' policies.
/// </summary>
internal static class Cluster
{
    public static HostState HostView(int hosts, int ports, int tenants, int seed = 1)
    {
        var r = new Random(seed);
        var perTenant = ports / tenants;
        // Where every port lives; host 0 is the one we compile for.
        var placement = new int[tenants, perTenant];
        for (var t = 0; t < tenants; t++)
            for (var i = 0; i < perTenant; i++)
                placement[t, i] = r.Next(hosts);
        var tenantInfos = new List<TenantInfo>();
        var local = new List<LocalPort>();
        var remote = new List<RemotePort>();
        var policies = new List<Policy>();
        var peerHosts = new SortedSet<int>();
        var ofport = 1;
        for (var t = 0; t < tenants; t++)
        {
            var present = Enumerable.Range(0, perTenant).Any(i => placement[t, i] == 0);
            if (!present) continue;
            var tid = $"tenant-{t}";
            tenantInfos.Add(new TenantInfo(tid, (uint)(t + 1), (ushort)(t + 1)));
            policies.AddRange(TenantPolicies(tid));
            for (var i = 0; i < perTenant; i++)
            {
                var mac = $"fa:16:3e:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}";
                string[] addrs = [$"10.{(i >> 16) & 0xff}.{(i >> 8) & 0xff}.{i & 0xff}", $"2001:db8::{i:x}"];
                string[] pols = i % 4 == 0 ? [$"{tid}-default", $"{tid}-admin"] : [$"{tid}-default", $"{tid}-web"];
                if (placement[t, i] == 0)
                    local.Add(new LocalPort($"{tid}-port-{i}", tid, ofport++, mac, addrs, pols));
                else
                {
                    peerHosts.Add(placement[t, i]);
                    remote.Add(new RemotePort($"{tid}-port-{i}", tid, mac, addrs, $"host-{placement[t, i]}", pols));
                }
            }
        }
        var peers = peerHosts.Select(h => new Peer($"host-{h}", 10_000 + h)).ToList();
        return new HostState(new HostInfo("host-0", "192.0.2.1"), tenantInfos, local, remote, peers, policies);
    }

    /// <summary>A typical tenant: a default group (talk among yourselves), web and admin groups.</summary>
    private static IEnumerable<Policy> TenantPolicies(string tid)
    {
        yield return new Policy($"{tid}-default", tid,
        [
            new PolicyRule(Direction.Egress, Protocol.Any, EtherType.V4),
            new PolicyRule(Direction.Egress, Protocol.Any, EtherType.V6),
            new PolicyRule(Direction.Ingress, Protocol.Any, EtherType.V4, RemotePolicy: $"{tid}-default"),
            new PolicyRule(Direction.Ingress, Protocol.Any, EtherType.V6, RemotePolicy: $"{tid}-default"),
        ]);
        yield return new Policy($"{tid}-web", tid,
        [
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 80, 80, RemoteCidr: "0.0.0.0/0"),
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 443, 443, RemoteCidr: "0.0.0.0/0"),
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V6, 443, 443, RemoteCidr: "::/0"),
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 22, 22, RemotePolicy: $"{tid}-admin"),
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 8000, 8100, RemotePolicy: $"{tid}-admin"),
        ]);
        yield return new Policy($"{tid}-admin", tid,
        [
            new PolicyRule(Direction.Ingress, Protocol.Icmp, EtherType.V4, RemoteCidr: "192.0.2.0/24"),
            new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 22, 22, RemoteCidr: "198.51.100.0/24"),
        ]);
    }

    /// <summary>One tenant, N ports on this host, one policy of M rules on every port (half remote-policy, half CIDR).</summary>
    public static HostState Growth(int ports, int rules)
    {
        var t = new TenantInfo("t", 1, 1);
        var rs = Enumerable.Range(0, rules).Select(i => i % 2 == 0
            ? new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 1000 + i, 1000 + i, RemotePolicy: "sg")
            : new PolicyRule(Direction.Ingress, Protocol.Udp, EtherType.V4, 1000 + i, 1000 + i, RemoteCidr: $"172.16.{i % 256}.0/24")).ToList();
        var local = Enumerable.Range(1, ports).Select(i =>
            new LocalPort($"p{i}", "t", i, $"fa:16:3e:00:{i >> 8:x2}:{i & 0xff:x2}", [$"10.0.{i >> 8}.{i & 0xff}"], ["sg"])).ToList();
        return new HostState(new HostInfo("h", "192.0.2.1"), [t], local, [], [], [new Policy("sg", "t", rs)]);
    }
}
