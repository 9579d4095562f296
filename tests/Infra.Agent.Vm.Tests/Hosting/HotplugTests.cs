using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>Disks plugged into and out of a running guest.</summary>
[Collection(AgentGuestCollection.Name)]
public sealed class HotplugTests(AgentGuestFixture f)
{
    [Fact]
    public async Task AttachToRunningVm_GuestSeesDisk_DetachWaitsForGuestToRelease()
    {
        var marker = "HOTMARK-" + Guid.NewGuid().ToString("N")[..8];
        var vol = f.T.RawVolume("hot1", firstLine: marker);
        var slot = await f.T.Host.AttachVolumeAsync(f.Id, vol);
        Assert.Equal(0, slot);
        // PCIe hot-plug under TCG on a busy 2-core machine can take tens of seconds; bounded at 2 minutes.
        await f.T.WaitForSerialAsync(f.Id, $"GUEST-HOTDISK vdb={marker}", TimeSpan.FromSeconds(120));
        var daemonPid = f.T.Host.VolumesOf(f.Id).Single(v => v.Spec.Id == "hot1").Daemon.Process.Pid;

        await f.T.Host.DetachVolumeAsync(f.Id, "hot1");
        // DEVICE_DELETED came, so the guest has already dropped the disk.
        await f.T.WaitForSerialAsync(f.Id, "GUEST-HOTDISK-GONE vdb", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(f.T.Host.VolumesOf(f.Id), v => v.Spec.Id == "hot1");
        Assert.False(Compute.Runners.ProcessInspector.IsAlive(daemonPid));
        Assert.Equal(new Compute.Monitor.VmRunStatus(true, "running"), await f.T.Host.StatusAsync(f.Id));
    }

    [Fact]
    public async Task Detach_BootVolume_IsRefusedWithReason()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => f.T.Host.DetachVolumeAsync(f.Id, "ga0"));
        Assert.Contains("boot volume", e.Message);
    }
}
