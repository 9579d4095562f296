using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.Agent.Network.Model;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Apply;

public class MappingTests
{
    private static readonly BridgeSettings Bridge = new("br-int", "netdev", 0x42);
    private static DesiredSnapshot Snap(params Resource[] rs) => DesiredSnapshot.FromFull(Full(1, rs));

    [Fact]
    public void Network_MapsPortsTunnelsAndFlowGroups_OnTheConfiguredBridge()
    {
        var m = NetworkMapping.ToHostNetwork(Snap(Port("p1", "vm1", "tap-p1", 5), Tunnel("h2", "10.0.0.2"), Tunnel("h3", "10.0.0.3", 10003),
            Flows(0x10, (0, 100, "in_port=5", "resubmit(,1)"), (1, 0, "", "drop"))), Bridge);
        Assert.Empty(m.Errors);
        var spec = m.Value;
        Assert.Equal(("br-int", "netdev", 0x42UL), (spec.BridgeName, spec.DatapathType, spec.DatapathId));
        Assert.Equal(new VmPort("p1", "tap-p1", VmPortKind.Tap, 5), Assert.Single(spec.Ports));
        Assert.Equal([null, 10003], spec.Peers.Select(p => p.OfPortRequest));
        Assert.Equal([new FlowSpec(0x10, 0, 100, "in_port=5", "resubmit(,1)"), new FlowSpec(0x10, 1, 0, "", "drop")], spec.Flows);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void Network_LeavesOutBadObjects_AndNamesEach()
    {
        var m = NetworkMapping.ToHostNetwork(Snap(Port("p1", "vm1", "a-name-longer-than-15"), Tunnel("h2", "not-an-ip"),
            Flows(0x11, (300, 1, "", "drop")), Flows(0x12, (0, 1, "", "")), Port("p2", "vm1", "tap-ok")), Bridge);
        Assert.Equal(["Tunnel/h2", "Port/p1", "FlowGroup/11", "FlowGroup/12"], m.Errors.Select(e => $"{e.Ref.Kind}/{e.Ref.Id}"));
        Assert.Equal("p2", Assert.Single(m.Value.Ports).PortId);
        Assert.Empty(m.Value.Flows);
    }

    [Fact]
    public void Compute_ResolvesPortsToTapsAndVolumesToSockets()
    {
        var vm = Vm("vm1", InstanceState.Paused, "p1");
        vm.Vm.VolumeIds.Add("v1");
        var m = ComputeMapping.ToDesiredVms(Snap(vm, Port("p1", "vm1", "tap-p1", mac: "02:00:00:00:00:09"), new Resource { Volume = new VolumeSpec { Id = "v1" } }), id => $"/run/vols/{id}.sock");
        Assert.Empty(m.Errors);
        var d = Assert.Single(m.Value.Vms);
        Assert.Equal(DesiredPower.Paused, d.Power);
        Assert.Equal([new VmNic("tap-p1", "02:00:00:00:00:09")], d.Definition.Nics);
        Assert.Equal(["/run/vols/v1.sock"], d.Definition.DiskSockets);
    }

    [Fact]
    public void Compute_VmNamingMissingPortOrVolume_IsAnError_AndUnmapped()
    {
        var vm = Vm("vm1", InstanceState.Running, "p-missing");
        vm.Vm.VolumeIds.Add("v-missing");
        var m = ComputeMapping.ToDesiredVms(Snap(vm), id => "/x/" + id);
        var e = Assert.Single(m.Errors);
        Assert.Contains("port p-missing is not bound", e.Error);
        Assert.Contains("volume v-missing is not served", e.Error);
        Assert.Equal(["vm1"], m.Value.Unmapped);
        Assert.Empty(m.Value.Vms);
    }

    [Fact]
    public void KeepUnmapped_KeepsARunningVmWithItsRecordedDefinition_InsteadOfDestroyingIt()
    {
        var snap = Snap(Vm("vm1", InstanceState.Running, "p-missing"), Vm("vm2"));
        var mapped = ComputeMapping.ToDesiredVms(snap, id => "/x/" + id);
        var old = new VmDefinition { Id = "vm1", Vcpus = 2, CpuMhz = 1000, MemoryMib = 128 };
        var desired = ComputeMapping.KeepUnmapped(mapped.Value, snap, id => id == "vm1" ? new VmRecord { Definition = old, RebootGeneration = 3 } : null);
        Assert.Equal(["vm2", "vm1"], desired.Select(d => d.Definition.Id));
        Assert.Equal((old, 3UL, DesiredPower.Running), (desired[1].Definition, desired[1].RebootGeneration, desired[1].Power));
    }

    [Fact]
    public void KeepUnmapped_UnknownVm_StaysAbsent()
    {
        var snap = Snap(Vm("new", InstanceState.Running, "p-missing"));
        Assert.Empty(ComputeMapping.KeepUnmapped(ComputeMapping.ToDesiredVms(snap, id => id).Value, snap, _ => null));
    }

    [Fact]
    public void Tombstone_IsNotMapped_IsDeleted_AndAbsentVmsAreOrphans()
    {
        var snap = Snap(Vm("vm1"), VmDeleted("gone"));
        Assert.Equal(["vm1"], ComputeMapping.ToDesiredVms(snap, id => id).Value.Vms.Select(v => v.Definition.Id));
        Assert.Equal(["gone"], ComputeMapping.Deleted(snap));
        Assert.Equal(["stray"], ComputeMapping.Orphans(snap, ["vm1", "gone", "stray"]));
        Assert.Equal(["gone", "vm1"], ComputeMapping.Orphans(DesiredSnapshot.Empty, ["vm1", "gone"]));
    }
}
