using Infra.Agent.Systemd.Tests.Fixture;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Systemd.Tests.Service;

public sealed partial class AgentServiceTests
{
    [Fact]
    public async Task StoppingTheService_LeavesVmAndVolumeUnitsRunning_AndAQemuKilledMeanwhileIsReportedCrashedAfterStart()
    {
        var desired = Full(1, Volume("vol3"), VmOn("vm3", "vol3"));
        await host.StartFreshAsync(Serve(() => desired));
        await WaitStatusAsync(1, s => VmIs(s, "vm3", InstanceState.Running) && VolumeIs(s, "vol3", VolumeState.InUse), full: false, "vm3 running");
        const string vmUnit = "infra-vm-vm3.service", volUnit = "infra-vol-vol3.service";
        var (qemu, daemon) = (host.SingleHostPid(vmUnit), host.SingleHostPid(volUnit));
        var (qemuStarted, daemonStarted) = (AgentServiceRoot.StartTime(qemu), AgentServiceRoot.StartTime(daemon));

        // KillMode=process and the VMs' own units: stopping the agent touches nothing else.
        host.Systemctl("stop", Agent);
        Assert.Equal("inactive", host.Show(Agent, "ActiveState"));
        Assert.Equal("success", host.Show(Agent, "Result")); // SIGTERM: the agent says STOPPING=1 and exits 0
        Assert.Equal("active", host.Show(vmUnit, "ActiveState"));
        Assert.Equal("active", host.Show(volUnit, "ActiveState"));
        Assert.Equal(qemu, host.SingleHostPid(vmUnit));
        Assert.Equal(qemuStarted, AgentServiceRoot.StartTime(qemu));
        Assert.Equal(daemon, host.SingleHostPid(volUnit));

        // qemu dies while no agent runs (as from the OOM killer): systemd sees its unit fail.
        Assert.True(Infra.Agent.Compute.Runners.ProcessInspector.Signal(qemu, 9), "could not SIGKILL qemu");
        await AgentServiceRoot.WaitUntilAsync(() => !AgentServiceRoot.IsAlive(qemu), Long, "qemu to die");

        host.Systemctl("start", Agent);
        var (session, hello) = await WaitForAsync((s, m) => s >= 2 && m.Hello is not null, "Hello after the start");
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        var report = await WaitStatusAsync(session, s => VmIs(s, "vm3", InstanceState.Error), full: true, "vm3 reported crashed");
        var vm = report.Vms.Single(v => v.Id == "vm3");
        Assert.Contains("while the agent was away", vm.Reason);
        Assert.Equal(0, vm.Pid);
        // Its disk's daemon was adopted, not restarted.
        Assert.Equal(daemon, host.SingleHostPid(volUnit));
        Assert.Equal(daemonStarted, AgentServiceRoot.StartTime(daemon));
        Assert.Empty(host.HostPids(vmUnit));
    }
}
