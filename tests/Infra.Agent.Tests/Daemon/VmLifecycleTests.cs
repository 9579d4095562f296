using System.Diagnostics;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Tests.Commands;
using Infra.Agent.Tests.Support;
using Infra.TestGuest;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// A VM's life through the real daemon, driven only by desired states from the (scripted)
/// controller: a reboot_generation bump resets the guest in place (same qemu), STOPPED is a graceful
/// shutdown the guest answers (its acpid powers off, well within the timeout), and removal deletes
/// the VM's directory and cgroup. The guest is the test guest under TCG with infra.acpi=1.
/// </summary>
public sealed class VmLifecycleTests : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("ia-life-").FullName;
    private ControllerServer _server = null!;
    private AgentDaemon _agent = null!;
    private string Pool => Path.Combine(_dir, "pool");

    public async Task InitializeAsync()
    {
        var image = await TestGuestImage.EnsureBuiltAsync();
        Directory.CreateDirectory(Pool);
        _server = await ControllerServer.StartAsync();
        _server.Controller.Script = s => s.Hello.AppliedVersion >= 1 ? Task.CompletedTask : s.SendAsync(Full(1, CommandGuestFixture.Volume("lv1"), Guest(0, InstanceState.Running)));
        _agent = new AgentDaemon(_server.Url, extraYaml: $"storage_pools: [{{name: p1, path: {Pool}}}]");
        _agent.Start(env: new Dictionary<string, string>
        {
            ["INFRA_AGENT_TEST_GUEST_KERNEL"] = image.Kernel,
            ["INFRA_AGENT_TEST_GUEST_INITRD"] = image.Initrd,
            ["INFRA_AGENT_TEST_GUEST_APPEND"] = "console=ttyS0 panic=-1 quiet no_timer_check infra.acpi=1",
        });
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Resource Guest(ulong reboot, InstanceState power)
    {
        var r = CommandGuestFixture.GuestVm("lc", "lv1");
        (r.Vm.RebootGeneration, r.Vm.PowerState, r.Vm.ShutdownTimeoutSeconds) = (reboot, power, 60);
        return r;
    }

    private string VmDir => Path.Combine(_agent.StateDir, "vms", "lc");
    private string Serial() { try { return File.ReadAllText(Path.Combine(VmDir, "serial.log")); } catch (IOException) { return ""; } }

    private async Task WaitAsync(Func<bool> done, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            if (sw.Elapsed > Long) throw new TimeoutException($"{what}; serial: {Serial()}\nagent log: {_agent.Log()}");
            await Task.Delay(200);
        }
    }

    private int? QemuPid() => int.TryParse(File.Exists(Path.Combine(VmDir, "qemu.pid")) ? File.ReadAllText(Path.Combine(VmDir, "qemu.pid")).Trim() : "", out var p) ? p : null;

    private Task SendAsync(DesiredState d) => _server.Controller.Sessions.OrderByDescending(kv => kv.Key).First().Value.SendAsync(d);

    [Fact]
    public async Task RebootBump_ResetsInPlace_Stopped_IsAGracefulShutdownTheGuestAnswers_Removal_DeletesTheVm()
    {
        await _server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1");
        await WaitAsync(() => Serial().Contains("GUEST-ACPI input="), "the guest to boot and start acpid");
        var pid = QemuPid() ?? throw new InvalidOperationException("no qemu pidfile");

        await SendAsync(Full(2, CommandGuestFixture.Volume("lv1"), Guest(1, InstanceState.Running)));
        // The power button is only heard once the rebooted guest's acpid runs again.
        await WaitAsync(() => Serial().Split("GUEST-ACPI input=").Length == 3, "the guest to boot a second time");
        Assert.Equal(pid, QemuPid());

        await SendAsync(Full(3, CommandGuestFixture.Volume("lv1"), Guest(1, InstanceState.Stopped)));
        await _server.Controller.WaitForAsync((_, m) => m.Status?.Vms.Any(v => v.Id == "lc" && v.State == InstanceState.Stopped && v.Reason == "") == true, Long, "lc reported STOPPED");
        Assert.Contains("GUEST-ACPI-POWEROFF", Serial());
        Assert.False(ProcessInspector.IsAlive(pid));

        await SendAsync(Full(4, CommandGuestFixture.Volume("lv1"), VmDeleted("lc")));
        await WaitAsync(() => !Directory.Exists(VmDir), "the VM's directory to go");
        await WaitAsync(() => !_agent.Cgroups.For("lc").Exists, "the VM's cgroup to go");
    }
}
