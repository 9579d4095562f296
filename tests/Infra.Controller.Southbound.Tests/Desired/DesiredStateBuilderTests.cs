using Infra.Controller.Southbound.Desired;
using Infra.Flows.Flows;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Desired;

public sealed class DesiredStateBuilderTests
{
    static readonly Google.Protobuf.IMessage[] TwoHostCluster =
    [
        Tenant("t1", 7), Tenant("t2", 8),
        Host("h1", "192.0.2.1"), Host("h2", "192.0.2.2"), Host("h3", "192.0.2.3"),
        Instance("i1", "t1", "h1", "p1"), Port("p1", "t1", "i1", "h1", "02:00:00:00:00:01", "10.0.0.1", "pol-web"),
        Instance("i2", "t1", "h2", "p2"), Port("p2", "t1", "i2", "h2", "02:00:00:00:00:02", "10.0.0.2", "pol-web"),
        Instance("i3", "t2", "h3", "p3"), Port("p3", "t2", "i3", "h3", "02:00:00:00:00:03", "10.0.1.3"),
        Policy("pol-web", "t1", AllowTcp("r1", 80)),
    ];

    [Fact]
    public void Build_VmPlacedHere_YieldsVmSpecPortBindingAndItsFlows()
    {
        var b = DesiredStateBuilder.Build(Snapshot(TwoHostCluster), "h1");

        var vm = Assert.Single(b.Resources.OfKind(DesiredKind.Vm)).Vm;
        Assert.Equal(("i1", "i1-name", 2u, 2000u, 2048ul, InstanceState.Running), (vm.Id, vm.Name, vm.Vcpus, vm.CpuMhz, vm.MemoryMib, vm.PowerState));
        Assert.Equal(["p1"], vm.PortIds);
        var port = Assert.Single(b.Resources.OfKind(DesiredKind.Port)).Port;
        Assert.Equal(("p1", "i1", "t1", "02:00:00:00:00:01", 1000u), (port.Id, port.InstanceId, port.TenantId, port.MacAddress, port.Ofport));
        Assert.StartsWith("tap", port.InterfaceName);
        Assert.True(port.InterfaceName.Length <= 15);
        var groups = b.Resources.OfKind(DesiredKind.FlowGroup).Select(r => r.FlowGroup).ToDictionary(g => g.Cookie);
        Assert.Contains(Cookies.Base, groups.Keys);
        Assert.Contains(groups[Cookies.Port("p1")].Flows, f => f.Table == 0 && f.Match.Contains("in_port=1000"));
        Assert.Contains(groups[Cookies.Policy(7)].Flows, f => f.Match.Contains("tp_dst=80"));
        Assert.Empty(b.Problems);
    }

    [Fact]
    public void Build_RebootGenerationKeyOfTheApi_IsCarriedInTheVmSpec()
    {
        var rows = TwoHostCluster.Select(o => new Infra.Store.KeyValue(Infra.Store.Keys.Of(KeyOf(o)), Google.Protobuf.MessageExtensions.ToByteArray(o), 1, 1, 1, 0))
            .Append(new Infra.Store.KeyValue(Infra.Store.Keys.Of("/infra/v1/reboots/i1"), System.Text.Encoding.UTF8.GetBytes("3"), 1, 1, 1, 0))
            .Append(new Infra.Store.KeyValue(Infra.Store.Keys.Of("/infra/v1/reboots/i2"), System.Text.Encoding.UTF8.GetBytes("not a number"), 1, 1, 1, 0));

        var s = ClusterSnapshot.From(1, rows);

        Assert.Equal(StoreLayout.RebootGeneration("i1"), "/infra/v1/reboots/i1");
        Assert.Equal(3ul, Assert.Single(DesiredStateBuilder.Build(s, "h1").Resources.OfKind(DesiredKind.Vm)).Vm.RebootGeneration);
        Assert.Equal(0ul, Assert.Single(DesiredStateBuilder.Build(s, "h2").Resources.OfKind(DesiredKind.Vm)).Vm.RebootGeneration);
    }

    [Fact]
    public void Build_TenantSharedWithAnotherHost_YieldsTunnelToItAndFlowsForItsPorts()
    {
        var b = DesiredStateBuilder.Build(Snapshot(TwoHostCluster), "h1");

        var tunnel = Assert.Single(b.Resources.OfKind(DesiredKind.Tunnel)).Tunnel;
        Assert.Equal(("h2", "192.0.2.2", 100u), (tunnel.HostId, tunnel.RemoteIp, tunnel.Ofport));
        var groups = b.Resources.OfKind(DesiredKind.FlowGroup).Select(r => r.FlowGroup.Cookie).ToHashSet();
        Assert.Contains(Cookies.Tunnel("h2"), groups);
        Assert.Contains(Cookies.Port("p2"), groups);
        Assert.DoesNotContain(Cookies.Port("p3"), groups); // other tenant: neither tunnel nor flows
        Assert.DoesNotContain(Cookies.Tunnel("h3"), groups);
    }

    [Fact]
    public void Build_HostWithNothingPlaced_YieldsOnlyBaseFlows()
    {
        var b = DesiredStateBuilder.Build(Snapshot([.. TwoHostCluster, Host("h4", "192.0.2.4")]), "h4");

        Assert.All(b.Resources.Items.Keys, k => Assert.Equal(DesiredKind.FlowGroup, k.Kind));
        Assert.Equal([Cookies.Base], b.Resources.OfKind(DesiredKind.FlowGroup).Select(r => r.FlowGroup.Cookie));
    }

    [Fact]
    public void Build_PreviousOfportsAreKept_NewcomersTakeLowestFree()
    {
        var snap = Snapshot([.. TwoHostCluster.Where(o => o is not Instance { Meta.Id: "i1" }),
            Instance("i1", "t1", "h1", "p1", "p9"), Port("p9", "t1", "i1", "h1", "02:00:00:00:00:09", "10.0.0.9")]);
        var previous = new HostResources([
            new Resource { Port = new PortBinding { Id = "p9", Ofport = 1000 } },
            new Resource { Tunnel = new TunnelPeer { HostId = "h2", Ofport = 104 } },
        ]);

        var b = DesiredStateBuilder.Build(snap, "h1", previous);

        var ofports = b.Resources.OfKind(DesiredKind.Port).ToDictionary(r => r.Port.Id, r => r.Port.Ofport);
        Assert.Equal(1000u, ofports["p9"]);
        Assert.Equal(1001u, ofports["p1"]);
        Assert.Equal(104u, Assert.Single(b.Resources.OfKind(DesiredKind.Tunnel)).Tunnel.Ofport);
    }

    [Fact]
    public void Build_SameSnapshotTwice_GivesEqualResources()
    {
        var a = DesiredStateBuilder.Build(Snapshot(TwoHostCluster), "h1").Resources;
        var b = DesiredStateBuilder.Build(Snapshot(TwoHostCluster.Reverse().ToArray()), "h1").Resources;

        Assert.Equal(a.Items.Keys, b.Items.Keys);
        Assert.All(a.Items, kv => Assert.Equal(kv.Value, b.Items[kv.Key]));
    }

    [Fact]
    public void Build_PolicyRuleAdded_ChangesOnlyTheTenantsPolicyFlowGroup()
    {
        var before = DesiredStateBuilder.Build(Snapshot(TwoHostCluster), "h1").Resources;
        var withSsh = TwoHostCluster.Select(o => o is Policy p ? Policy(p.Meta.Id, p.TenantId, AllowTcp("r1", 80), AllowTcp("r2", 22)) : o).ToArray();
        var after = DesiredStateBuilder.Build(Snapshot(withSsh), "h1", before).Resources;

        var delta = DeltaPlanner.Plan(new LastSent(1, before), after, 1)!;
        var changed = Assert.Single(delta.Upserts);
        Assert.Equal(Cookies.Policy(7), changed.FlowGroup.Cookie);
        Assert.Contains(changed.FlowGroup.Flows, f => f.Match.Contains("tp_dst=22"));
        Assert.Empty(delta.Removals);
    }

    [Fact]
    public void Build_DesiredStoppedAndDeletingInstances_StopOrDisappear()
    {
        var stopped = Instance("i5", "t1", "h1");
        stopped.DesiredState = InstanceState.Stopped;
        var deleting = Instance("i6", "t1", "h1");
        deleting.State = InstanceState.Deleting;

        var b = DesiredStateBuilder.Build(Snapshot([.. TwoHostCluster, stopped, deleting]), "h1");

        var vms = b.Resources.OfKind(DesiredKind.Vm).ToDictionary(r => r.Vm.Id, r => r.Vm.PowerState);
        Assert.Equal(InstanceState.Stopped, vms["i5"]);
        Assert.False(vms.ContainsKey("i6"));
    }

    [Fact]
    public void Build_VolumesOfItsVmsAndLocalVolumes_AreServedBootDiskFirst()
    {
        var vm = Instance("i7", "t1", "h1");
        vm.BootVolumeId = "v-boot";
        vm.VolumeIds.Add("v-data");
        Volume Vol(string id, string host) => new()
        {
            Meta = new ObjectMeta { Id = id }, TenantId = "t1", SizeBytes = 1 << 30, HostId = host,
            Backend = host.Length > 0 ? new VolumeBackend { Local = new LocalBackend { Pool = "default", Format = DiskFormat.Qcow2 } }
                                      : new VolumeBackend { Nbd = new NbdBackend { Uri = "nbd://192.0.2.9/" + id } },
        };

        var b = DesiredStateBuilder.Build(Snapshot([.. TwoHostCluster, vm, Vol("v-boot", "h1"), Vol("v-data", ""), Vol("v-spare", "h1"), Vol("v-other", "h2")]), "h1");

        Assert.Equal(["v-boot", "v-data"], b.Resources.OfKind(DesiredKind.Vm).Single(r => r.Vm.Id == "i7").Vm.VolumeIds);
        Assert.Equal(["v-boot", "v-data", "v-spare"], b.Resources.OfKind(DesiredKind.Volume).Select(r => r.Volume.Id));
        Assert.Equal("nbd://192.0.2.9/v-data", b.Resources.OfKind(DesiredKind.Volume).Single(r => r.Volume.Id == "v-data").Volume.Backend.Nbd.Uri);
    }

    [Fact]
    public void Build_PortNamesMissingPolicy_IsReportedAndTheRestStillCompiles()
    {
        var snap = Snapshot([.. TwoHostCluster.Where(o => o is not Port { Meta.Id: "p1" }),
            Port("p1", "t1", "i1", "h1", "02:00:00:00:00:01", "10.0.0.1", "pol-web", "pol-gone")]);

        var b = DesiredStateBuilder.Build(snap, "h1");

        Assert.Contains(b.Problems, p => p.Contains("pol-gone"));
        Assert.Single(b.Resources.OfKind(DesiredKind.Port));
    }

    [Fact]
    public void Build_RemotePolicyRule_AdmitsMembersAddressesOnBothHosts()
    {
        var rule = new Rule { Id = "r3", Direction = Direction.Ingress, Protocol = Protocol.Tcp, IpVersion = IpVersion._4, PortMin = 5432, PortMax = 5432, RemotePolicyId = "pol-web" };
        var snap = Snapshot([.. TwoHostCluster.Where(o => o is not Port { Meta.Id: "p1" }), Policy("pol-db", "t1", rule),
            Port("p1", "t1", "i1", "h1", "02:00:00:00:00:01", "10.0.0.1", "pol-db")]);

        var flows = DesiredStateBuilder.Build(snap, "h1").Resources.OfKind(DesiredKind.FlowGroup)
            .Single(r => r.FlowGroup.Cookie == Cookies.Policy(7)).FlowGroup.Flows;

        Assert.Contains(flows, f => f.Match.Contains("10.0.0.2")); // p2 on h2 carries pol-web
        Assert.Contains(flows, f => f.Match.Contains("tp_dst=5432"));
    }
}
