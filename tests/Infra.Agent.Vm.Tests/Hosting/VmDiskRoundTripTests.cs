using Infra.Agent.Compute.Manager;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>One guest boot: data written by the guest through qemu-storage-daemon lands in the volume's file.</summary>
public sealed class VmDiskRoundTripTests
{
    [Fact]
    public async Task GuestWritesToVhostUserDisk_PowersOff_HostReadsPatternBack()
    {
        await using var t = await VmTestHost.StartAsync();
        var vol = t.RawVolume("rt0", firstLine: "HOST-BEFORE");
        var pattern = "PATTERN-" + Guid.NewGuid().ToString("N")[..8];
        var started = await t.Host.StartAsync(t.Guest("rt", 0, "infra.test=write-disk", $"infra.pattern={pattern}"), [vol]);
        Assert.True(started.Pid > 0);

        // The guest powers itself off once written: the VM is found Exited, not Crashed.
        await VmTestHost.WaitUntilAsync(() => !Compute.Runners.ProcessInspector.IsAlive(started.Pid), TimeSpan.FromSeconds(90), "the guest to power off");
        var observed = (await t.Host.Vms.ObserveAsync(default)).Single(v => v.Id == "rt");
        Assert.Equal(ObservedPower.Exited, observed.Power);
        Assert.Contains("GUEST-DISK-BEFORE vda=HOST-BEFORE", t.SerialLog("rt"));
        Assert.Contains("GUEST-DISKS-DONE", t.SerialLog("rt"));

        await t.Host.ReleaseVolumesAsync("rt");
        var raw = ((Storage.Volumes.RawFileBackend)vol.Backend).Path;
        Assert.Equal(pattern, VmTestHost.FirstLine(raw));
        using var f = File.OpenRead(raw);
        f.Seek(1024 * 1024, SeekOrigin.Begin);
        var buf = new byte[pattern.Length];
        f.ReadExactly(buf);
        Assert.Equal(pattern, System.Text.Encoding.ASCII.GetString(buf));
    }
}
