using Infra.V1;

namespace Infra.Agent.Tests.Support;

/// <summary>Builders for desired-state messages.</summary>
public static class Resources
{
    public static Resource Vm(string id, InstanceState power = InstanceState.Running, params string[] ports)
    {
        var vm = new VmSpec { Id = id, Name = "vm " + id, Vcpus = 1, CpuMhz = 500, MemoryMib = 64, PowerState = power };
        vm.PortIds.AddRange(ports);
        return new Resource { Vm = vm };
    }

    /// <summary>A VM tombstone: the controller deleted the instance (the only order that removes a VM).</summary>
    public static Resource VmDeleted(string id) => new() { Vm = new VmSpec { Id = id, Deleted = true } };

    public static Resource Port(string id, string vm, string tap, uint ofport = 0, string mac = "02:00:00:00:00:01") =>
        new() { Port = new PortBinding { Id = id, InstanceId = vm, TenantId = "t1", MacAddress = mac, InterfaceName = tap, Ofport = ofport } };

    public static Resource Tunnel(string host, string ip, uint ofport = 0) => new() { Tunnel = new TunnelPeer { HostId = host, RemoteIp = ip, Ofport = ofport } };

    public static Resource Flows(ulong cookie, params (uint Table, uint Priority, string Match, string Actions)[] flows)
    {
        var g = new FlowGroup { Cookie = cookie };
        g.Flows.AddRange(flows.Select(f => new Flow { Table = f.Table, Priority = f.Priority, Match = f.Match, Actions = f.Actions }));
        return new Resource { FlowGroup = g };
    }

    public static DesiredState Full(ulong version, params Resource[] upserts)
    {
        var d = new DesiredState { Version = version, Full = true };
        d.Upserts.AddRange(upserts);
        return d;
    }

    public static DesiredState Delta(ulong version, ulong baseVersion, Resource[] upserts, params ResourceRef[] removals)
    {
        var d = new DesiredState { Version = version, BaseVersion = baseVersion };
        d.Upserts.AddRange(upserts);
        d.Removals.AddRange(removals);
        return d;
    }

    public static ResourceRef Ref(DesiredKind kind, string id) => new() { Kind = kind, Id = id };
}
