using Infra.Flows.Model;

namespace Infra.Sdn.EndToEnd.Tests.Cluster;

/// <summary>A VM NIC as the controller knows it: where it lives, what it is, which policies it carries.</summary>
public sealed record Vm(string Name, string Tenant, int Host, int OfPort, string Mac, string V4, string V6, IReadOnlyList<string> Policies)
{
    public string PortId => $"port-{Name}";
    /// <summary>The OVS internal port's name on the host, and the interface inside the VM namespace.</summary>
    public string Iface => $"vm-{Name}";
}

/// <summary>
/// The controller's view of the whole cluster (what the real controller keeps in its store), and the
/// projection the compiler takes: one <see cref="HostState"/> per host with only the tenants that
/// have a port there, their remote ports, every peer, and those tenants' policies.
/// </summary>
public sealed record Topology(IReadOnlyList<TenantInfo> Tenants, IReadOnlyList<Vm> Vms, IReadOnlyList<Policy> Policies)
{
    public static string HostId(int host) => $"host-{host + 1}";

    public Vm this[string name] => Vms.Single(v => v.Name == name);

    public HostState StateFor(int host, string tunnelIp, IReadOnlyDictionary<string, int> peerOfPorts, IReadOnlyDictionary<string, int> vmOfPorts)
    {
        var local = Vms.Where(v => v.Host == host).ToList();
        var tenants = local.Select(v => v.Tenant).ToHashSet(StringComparer.Ordinal);
        return new HostState(
            new HostInfo(HostId(host), tunnelIp),
            Tenants.Where(t => tenants.Contains(t.Id)).ToList(),
            local.Select(v => new LocalPort(v.PortId, v.Tenant, vmOfPorts[v.PortId], v.Mac, [v.V4, v.V6], v.Policies)).ToList(),
            Vms.Where(v => v.Host != host && tenants.Contains(v.Tenant))
                .Select(v => new RemotePort(v.PortId, v.Tenant, v.Mac, [v.V4, v.V6], HostId(v.Host), v.Policies)).ToList(),
            peerOfPorts.Select(kv => new Peer(kv.Key, kv.Value)).ToList(),
            Policies.Where(p => tenants.Contains(p.Tenant)).ToList());
    }

    public Topology WithPolicy(Policy policy) =>
        this with { Policies = Policies.Select(p => p.Id == policy.Id ? policy : p).ToList() };

    /// <summary>
    /// Tenants A and B share 10.0.0.0/24 and even addresses: A's 10.0.0.2 lives on host 2 while B's
    /// lives on host 1, next to A's 10.0.0.1, whose twin in B lives on host 2. Host 3 has only A's
    /// client, so host 3 never legitimately sends tenant B's key.
    /// </summary>
    public static Topology Default()
    {
        TenantInfo a = new("A", 5001, 1), b = new("B", 5002, 2);
        return new Topology([a, b],
        [
            new("a1", "A", 0, 1, "fa:16:3e:0a:00:01", "10.0.0.1", "fd00:a::1", ["a-web"]),
            new("a3", "A", 0, 2, "fa:16:3e:0a:00:03", "10.0.0.3", "fd00:a::3", ["a-web"]),
            new("b2", "B", 0, 3, "fa:16:3e:0b:00:02", "10.0.0.2", "fd00:b::2", ["b-web"]),
            new("a2", "A", 1, 1, "fa:16:3e:0a:00:02", "10.0.0.2", "fd00:a::2", ["a-web"]),
            new("b1", "B", 1, 2, "fa:16:3e:0b:00:01", "10.0.0.1", "fd00:b::1", ["b-web"]),
            new("a4", "A", 2, 1, "fa:16:3e:0a:00:04", "10.0.0.4", "fd00:a::4", ["a-client"]),
        ],
        [Web("a-web", "A", "a-client"), Web("b-web", "B", null), Client("a-client", "A")]);
    }

    /// <summary>Servers: anything out; ping, udp/7000 from anywhere; tcp/5000 only from the tenant's own web/client policies.</summary>
    public static Policy Web(string id, string tenant, string? client) => new(id, tenant,
    [
        new(Direction.Egress, Protocol.Any, EtherType.V4),
        new(Direction.Egress, Protocol.Any, EtherType.V6),
        new(Direction.Ingress, Protocol.Icmp, EtherType.V4),
        new(Direction.Ingress, Protocol.Icmpv6, EtherType.V6),
        new(Direction.Ingress, Protocol.Udp, EtherType.V4, 7000, 7000),
        new(Direction.Ingress, Protocol.Tcp, EtherType.V4, 5000, 5000, RemotePolicy: id),
        new(Direction.Ingress, Protocol.Tcp, EtherType.V6, 5000, 5000, RemotePolicy: id),
        .. client is null ? Array.Empty<PolicyRule>() : [new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 5000, 5000, RemotePolicy: client)],
    ]);

    /// <summary>Outbound only: no ingress rule at all, so only replies of its own connections come in.</summary>
    public static Policy Client(string id, string tenant) => new(id, tenant,
    [
        new(Direction.Egress, Protocol.Any, EtherType.V4),
        new(Direction.Egress, Protocol.Any, EtherType.V6),
    ]);
}
