using Infra.Store;
using Infra.Controller.Model.Store;
using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class InstancesTests : IAsyncLifetime
{
    ApiServer s = null!;
    Tenant t = null!;
    Network n = null!;
    Image img = null!;

    public async Task InitializeAsync()
    {
        s = await ApiServer.StartAsync();
        t = await TenantAsync(s, "t");
        n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        img = await ImportAsync(s, "cirros", new byte[4096]);
    }

    public async Task DisposeAsync() => await s.DisposeAsync();

    CreateInstanceRequest Vm(string name, uint mhz = 2000, ulong mem = 1024) => new()
    {
        TenantId = t.Meta.Id, Name = name, Vcpus = 2, CpuMhz = mhz, MemoryMib = mem,
        Boot = new BootSource { ImageId = img.Meta.Id, SizeGib = 1, DeleteOnTermination = true },
        Ports = { new PortSpec { NetworkId = n.Meta.Id } },
    };

    [Fact]
    public async Task CreateInstance_LandsOnARegisteredHost_WithInlinePortAndBootVolume()
    {
        await RegisterHostAsync(s, "host-a");
        var i = await s.Instances.CreateInstanceAsync(Vm("vm1"));
        Assert.Equal("host-a", i.HostId);
        Assert.Equal(InstanceState.Scheduled, i.State);
        Assert.Equal(InstanceState.Running, i.DesiredState);
        var port = await s.Ports.GetPortAsync(new GetPortRequest { Id = i.PortIds.Single() });
        Assert.Equal(i.Meta.Id, port.InstanceId);
        var boot = await s.Volumes.GetVolumeAsync(new GetVolumeRequest { Id = i.BootVolumeId });
        Assert.Equal(img.Meta.Id, boot.SourceImageId);
        Assert.Equal(VolumeState.InUse, boot.State);
        Assert.Equal(1UL << 30, boot.SizeBytes);
        var host = await s.Hosts.GetHostAsync(new GetHostRequest { Id = "host-a" });
        Assert.Equal(2000UL, host.Allocated.CpuMhz);
        Assert.Equal(1u, host.Allocated.Instances);
    }

    [Fact]
    public async Task CreateInstance_NothingFits_FailedPreconditionWithPerReasonExplanation_AndNothingLeaks()
    {
        await RegisterHostAsync(s, "small-1", cores: 2, mhz: 2000, memoryMib: 4096);
        await RegisterHostAsync(s, "small-2", cores: 2, mhz: 2000, memoryMib: 4096);
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.CreateInstanceAsync(Vm("big", mem: 65536)).ResponseAsync);
        Assert.Contains("2 hosts lack memory", e.Status.Detail);
        var pf = Details(e).Details.Single().Unpack<Google.Rpc.PreconditionFailure>();
        Assert.Equal("NO_HOST_FITS", pf.Violations[0].Type);
        Assert.Empty((await s.Ports.ListPortsAsync(new ListPortsRequest { TenantId = t.Meta.Id })).Ports);
        Assert.Empty((await s.Networks.ListAllocationsAsync(new ListAllocationsRequest { NetworkId = n.Meta.Id })).Allocations);
        Assert.Empty((await s.Volumes.ListVolumesAsync(new ListVolumesRequest { TenantId = t.Meta.Id })).Volumes);
    }

    [Fact]
    public async Task CreateInstance_NoHosts_FailedPrecondition()
    {
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.CreateInstanceAsync(Vm("lonely")).ResponseAsync);
        Assert.Contains("no hosts are registered", e.Status.Detail);
    }

    [Fact]
    public async Task CreateInstance_InvalidFields_AllReportedAtOnce()
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Instances.CreateInstanceAsync(new CreateInstanceRequest
        {
            TenantId = t.Meta.Id, Name = "", Vcpus = 0, CpuMhz = 10, MemoryMib = 1,
        }).ResponseAsync);
        var fields = BadFields(e);
        Assert.Contains("name", fields);
        Assert.Contains("vcpus", fields);
        Assert.Contains("memory_mib", fields);
        Assert.True(fields.Count >= 4, string.Join(",", fields));
    }

    [Fact]
    public async Task CreateInstance_SameRequestIdTwice_OneInstanceOneClaim()
    {
        await RegisterHostAsync(s, "h");
        var r = Vm("once");
        r.RequestId = "create-once";
        var a = await s.Instances.CreateInstanceAsync(r);
        var b = await s.Instances.CreateInstanceAsync(r);
        Assert.Equal(a.Meta.Id, b.Meta.Id);
        Assert.Single((await s.Instances.ListInstancesAsync(new ListInstancesRequest { TenantId = t.Meta.Id })).Instances);
        Assert.Equal(1u, (await s.Hosts.GetHostAsync(new GetHostRequest { Id = "h" })).Allocated.Instances);
    }

    [Fact]
    public async Task Lifecycle_StopStartResize_DeleteReleasesEverything()
    {
        await RegisterHostAsync(s, "h", cores: 4, mhz: 2000);
        var i = await s.Instances.CreateInstanceAsync(Vm("vm", mhz: 1000));
        var stopped = await s.Instances.StopInstanceAsync(new StopInstanceRequest { Id = i.Meta.Id });
        Assert.Equal(InstanceState.Stopped, stopped.DesiredState);
        var resized = await s.Instances.ResizeInstanceAsync(new ResizeInstanceRequest { Id = i.Meta.Id, CpuMhz = 3000 });
        Assert.Equal(3000u, resized.CpuMhz);
        Assert.Equal(3000UL, (await s.Hosts.GetHostAsync(new GetHostRequest { Id = "h" })).Allocated.CpuMhz);
        // 2 vCPUs on 2000 MHz cores deliver at most 4000 MHz.
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.ResizeInstanceAsync(new ResizeInstanceRequest { Id = i.Meta.Id, CpuMhz = 5000 }).ResponseAsync);
        var started = await s.Instances.StartInstanceAsync(new InstanceActionRequest { Id = i.Meta.Id });
        Assert.Equal(InstanceState.Running, started.DesiredState);

        var deleted = await s.Instances.DeleteInstanceAsync(new DeleteInstanceRequest { Id = i.Meta.Id });
        Assert.Equal(InstanceState.Deleting, deleted.State);
        await FailsAsync(StatusCode.NotFound, () => s.Instances.GetInstanceAsync(new GetInstanceRequest { Id = i.Meta.Id }).ResponseAsync);
        Assert.Empty((await s.Ports.ListPortsAsync(new ListPortsRequest { TenantId = t.Meta.Id })).Ports);
        Assert.Empty((await s.Networks.ListAllocationsAsync(new ListAllocationsRequest { NetworkId = n.Meta.Id })).Allocations);
        Assert.Empty((await s.Volumes.ListVolumesAsync(new ListVolumesRequest { TenantId = t.Meta.Id })).Volumes);
        Assert.Equal(0u, (await s.Hosts.GetHostAsync(new GetHostRequest { Id = "h" })).Allocated.Instances);
        // The host gets the explicit order to remove the VM (absence from its desired state alone leaves it running).
        Assert.NotNull(await s.Store.GetAsync(StoreLayout.VmTombstone("h", i.Meta.Id)));
    }

    [Fact]
    public async Task AttachDetachVolume_AndSnapshotWithoutSouthbound_Unavailable()
    {
        await RegisterHostAsync(s, "h");
        var i = await s.Instances.CreateInstanceAsync(Vm("vm"));
        var data = await s.Volumes.CreateVolumeAsync(new CreateVolumeRequest { TenantId = t.Meta.Id, Name = "data", SizeGib = 2 });
        var attached = await s.Instances.AttachVolumeAsync(new AttachVolumeRequest { Id = i.Meta.Id, VolumeId = data.Meta.Id });
        Assert.Contains(data.Meta.Id, attached.VolumeIds);
        Assert.Equal(i.Meta.Id, (await s.Volumes.GetVolumeAsync(new GetVolumeRequest { Id = data.Meta.Id })).AttachedInstanceId);
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Volumes.DeleteVolumeAsync(new DeleteVolumeRequest { Id = data.Meta.Id }).ResponseAsync);
        // Snapshots need the host's agent: AgentCommandsTests covers them with a scripted agent.
        await FailsAsync(StatusCode.Unavailable, () => s.Instances.SnapshotInstanceAsync(new SnapshotInstanceRequest { Id = i.Meta.Id, Name = "nightly" }).ResponseAsync);
        var detached = await s.Instances.DetachVolumeAsync(new DetachVolumeRequest { Id = i.Meta.Id, VolumeId = data.Meta.Id });
        Assert.DoesNotContain(data.Meta.Id, detached.VolumeIds);
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.DetachVolumeAsync(new DetachVolumeRequest { Id = i.Meta.Id, VolumeId = i.BootVolumeId }).ResponseAsync);
    }

    [Fact]
    public async Task AntiAffinityGroup_SpreadsAcrossHosts_ThenNothingFits()
    {
        await RegisterHostAsync(s, "h1");
        await RegisterHostAsync(s, "h2");
        var hosts = new HashSet<string>();
        for (var k = 0; k < 2; k++)
        {
            var r = Vm($"aa{k}");
            r.AntiAffinityGroup = "ha";
            hosts.Add((await s.Instances.CreateInstanceAsync(r)).HostId);
        }
        Assert.Equal(2, hosts.Count);
        var third = Vm("aa2");
        third.AntiAffinityGroup = "ha";
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Instances.CreateInstanceAsync(third).ResponseAsync);
        Assert.Contains("anti-affinity", e.Status.Detail);
    }
}
