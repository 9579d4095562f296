using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>Reboot, graceful shutdown, power off after a timeout, delete: each through the VmManager.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private VmTestHost _t = null!;
    private static readonly CancellationToken Ct = CancellationToken.None;

    public async Task InitializeAsync() => _t = await VmTestHost.StartAsync();
    public async Task DisposeAsync() => await _t.DisposeAsync();

    [Fact]
    public async Task Reboot_ThenShutdownAnsweredByGuest_ThenDelete_RemovesVmAndDaemons()
    {
        var started = await _t.Host.StartAsync(_t.Guest("lc", 0, "infra.acpi=1"), [_t.RawVolume("lc0")]);
        await _t.WaitForSerialAsync("lc", "GUEST-ACPI input=", TimeSpan.FromSeconds(90));
        var daemon = _t.Host.VolumesOf("lc").Single().Daemon.Process.Pid;

        await _t.Host.Vms.RebootAsync("lc", 1, Ct);
        // The power button is only heard once the rebooted guest's acpid runs again.
        await VmTestHost.WaitUntilAsync(() => _t.SerialLog("lc").Split("GUEST-ACPI input=").Length == 3, TimeSpan.FromSeconds(90),
            "the guest to boot a second time and start acpid");
        var rebooted = (await _t.Host.Vms.ObserveAsync(Ct)).Single();
        Assert.Equal((ObservedPower.Running, 1UL, started.Pid), (rebooted.Power, rebooted.RebootGeneration, rebooted.Pid));

        // The guest's acpid answers the power button; qemu then exits by itself, well within the timeout.
        await _t.Host.Vms.ShutdownAsync("lc", TimeSpan.FromSeconds(60), Ct);
        Assert.Contains("GUEST-ACPI-POWEROFF", _t.SerialLog("lc"));
        Assert.False(ProcessInspector.IsAlive(started.Pid));
        Assert.Equal(ObservedPower.Stopped, (await _t.Host.Vms.ObserveAsync(Ct)).Single().Power);

        await _t.Host.DeleteAsync("lc", TimeSpan.FromSeconds(1));
        Assert.False(Directory.Exists(_t.PathsOf("lc").Directory));
        Assert.Empty(_t.Host.VolumesOf("lc"));
        Assert.False(ProcessInspector.IsAlive(daemon));
        Assert.False(_t.Cgroups.For("lc").Exists);
    }

    [Fact]
    public async Task Shutdown_GuestThatNeverAnswersAcpi_IsPoweredOffAfterTheTimeout()
    {
        // Started paused: no guest code runs, so the power button is certainly ignored.
        var started = await _t.Host.StartAsync(_t.Guest("deaf"), [], paused: true);
        Assert.Equal(ObservedPower.Paused, (await _t.Host.Vms.ObserveAsync(Ct)).Single().Power);

        await _t.Host.Vms.ShutdownAsync("deaf", TimeSpan.FromSeconds(1), Ct);
        Assert.False(ProcessInspector.IsAlive(started.Pid));
        var vm = (await _t.Host.Vms.ObserveAsync(Ct)).Single();
        Assert.Equal(ObservedPower.Stopped, vm.Power);
        Assert.Null(vm.Reason);
    }
}
