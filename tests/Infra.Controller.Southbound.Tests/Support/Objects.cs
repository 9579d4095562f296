using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Southbound.Cluster;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Support;

/// <summary>Builders for the API objects the tests put in a cluster.</summary>
public static class Objects
{
    public static Tenant Tenant(string id, uint key) => new() { Meta = new ObjectMeta { Id = id, Name = id }, TunnelKey = key };

    public static Host Host(string id, string tunnelIp, uint cores = 16, ulong memoryMib = 65536, HostState state = HostState.Up) => new()
    {
        Meta = new ObjectMeta { Id = id, Name = id },
        Inventory = Inventory(id, tunnelIp, cores, memoryMib),
        State = state,
        LastHeartbeat = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)),
    };

    public static HostInventory Inventory(string hostname, string tunnelIp, uint cores = 16, ulong memoryMib = 65536) => new()
    {
        Cores = cores, MhzPerCore = 2000, MemoryMib = memoryMib, TunnelIp = tunnelIp, KvmAvailable = true,
        Arch = "x86_64", Hostname = hostname,
    };

    public static Instance Instance(string id, string tenant, string host, params string[] ports)
    {
        var i = new Instance
        {
            Meta = new ObjectMeta { Id = id, Name = id + "-name" }, TenantId = tenant, Vcpus = 2, CpuMhz = 2000, MemoryMib = 2048,
            HostId = host, State = InstanceState.Running, DesiredState = InstanceState.Running,
        };
        i.PortIds.AddRange(ports);
        return i;
    }

    public static Port Port(string id, string tenant, string instance, string host, string mac, string ip, params string[] policies)
    {
        var p = new Port
        {
            Meta = new ObjectMeta { Id = id }, TenantId = tenant, NetworkId = "net-" + tenant, MacAddress = mac,
            InstanceId = instance, HostId = host,
        };
        p.FixedIps.Add(new FixedIp { SubnetCidr = "10.0.0.0/24", Address = ip });
        p.PolicyIds.AddRange(policies);
        return p;
    }

    public static Policy Policy(string id, string tenant, params Rule[] rules)
    {
        var p = new Policy { Meta = new ObjectMeta { Id = id }, TenantId = tenant };
        p.Rules.AddRange(rules);
        return p;
    }

    public static Rule AllowTcp(string id, uint port, Direction dir = Direction.Ingress, string? cidr = "0.0.0.0/0") =>
        cidr is null
            ? new Rule { Id = id, Direction = dir, Protocol = Protocol.Tcp, IpVersion = IpVersion._4, PortMin = port, PortMax = port }
            : new Rule { Id = id, Direction = dir, Protocol = Protocol.Tcp, IpVersion = IpVersion._4, PortMin = port, PortMax = port, RemoteCidr = cidr };

    public static string KeyOf(IMessage m) => m switch
    {
        Tenant t => Kinds.Tenant.Key(t.Meta.Id),
        Host h => Kinds.Host.Key(h.Meta.Id),
        Instance i => Kinds.Instance.Key(i.Meta.Id),
        Port p => Kinds.Port.Key(p.Meta.Id),
        Network n => Kinds.Network.Key(n.Meta.Id),
        Policy p => Kinds.Policy.Key(p.Meta.Id),
        Volume v => Kinds.Volume.Key(v.Meta.Id),
        _ => throw new ArgumentException(m.GetType().Name),
    };

    /// <summary>A snapshot as the store would hold these objects.</summary>
    public static ClusterSnapshot Snapshot(params IMessage[] objects) =>
        ClusterSnapshot.From(1, objects.Select(o => new KeyValue(Keys.Of(KeyOf(o)), o.ToByteArray(), 1, 1, 1, 0)));

    public static Task PutAsync(this IKeyValueStore store, IMessage m) =>
        store.PutAsync(new PutRequest(Keys.Of(KeyOf(m)), m.ToByteArray()));
}
