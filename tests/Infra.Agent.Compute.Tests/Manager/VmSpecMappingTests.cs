using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.V1;

namespace Infra.Agent.Compute.Tests.Manager;

public class VmSpecMappingTests
{
    [Fact]
    public void ToDesired_ResolvesVolumesAndPortsInOrder()
    {
        var spec = new VmSpec { Id = "i-1", Name = "n", Vcpus = 8, CpuMhz = 4000, CpuQuotaPercent = 200, MemoryMib = 512, PowerState = InstanceState.Paused, RebootGeneration = 4, ShutdownTimeoutSeconds = 90 };
        spec.VolumeIds.Add("v2"); spec.VolumeIds.Add("v1");
        spec.PortIds.Add("p1");
        var d = VmSpecMapping.ToDesired(spec, v => $"/run/{v}.sock", p => new VmNic($"tap{p}", "02:00:00:00:00:01"));
        Assert.Equal(["/run/v2.sock", "/run/v1.sock"], d.Definition.DiskSockets);
        Assert.Equal("tapp1", d.Definition.Nics[0].InterfaceName);
        Assert.Equal((DesiredPower.Paused, 4UL, TimeSpan.FromSeconds(90), 4000, 8), (d.Power, d.RebootGeneration, d.ShutdownTimeout, d.Definition.CpuMhz, d.Definition.Vcpus));
        Assert.Equal(200, d.Definition.CpuQuotaPercent);
    }

    [Theory]
    [InlineData(ObservedPower.Running, InstanceState.Running)]
    [InlineData(ObservedPower.Paused, InstanceState.Paused)]
    [InlineData(ObservedPower.Stopped, InstanceState.Stopped)]
    [InlineData(ObservedPower.Exited, InstanceState.Stopped)]
    [InlineData(ObservedPower.Crashed, InstanceState.Error)]
    public void ToStatus_MapsPowerToInstanceState(ObservedPower p, InstanceState s) =>
        Assert.Equal(s, VmSpecMapping.ToStatus(new ObservedVm("i", p, true, 1, 0, 0, "why")).State);
}
