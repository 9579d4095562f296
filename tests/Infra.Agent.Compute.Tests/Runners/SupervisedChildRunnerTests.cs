using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Compute.Tests.Support;

namespace Infra.Agent.Compute.Tests.Runners;

/// <summary>Real qemu (TCG, no guest image: SeaBIOS finds nothing to boot and idles) in real v1/v2 cgroups.</summary>
[Collection("qemu")]
public sealed class SupervisedChildRunnerTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Start_QemuIsDetachedFromTheAgent_InItsOwnSessionAndNotOurChild()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("det"), paused: false, 0, Ct);

        var stat = QemuHost.Stat(pid);
        var self = QemuHost.Stat(Environment.ProcessId);
        Assert.NotEqual(Environment.ProcessId, stat.Ppid);
        Assert.NotEqual(self.Session, stat.Session);
        Assert.True(ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), "det", host.PathsOf("det").QmpSocket));
    }

    [Fact]
    public async Task AgentRestart_NewManagerOverSameStateDir_AdoptsTheSameRunningPid()
    {
        await using var host = new QemuHost();
        var first = host.NewManager();
        var pid = await first.StartAsync(QemuHost.Vm("adopt"), paused: false, 0, Ct);
        await first.DisposeAsync(); // the agent goes away; the VM must not notice

        var second = host.NewManager();
        var seen = Assert.Single(await second.ObserveAsync(Ct));
        Assert.Equal((ObservedPower.Running, false, pid), (seen.Power, seen.Managed, seen.Pid));

        var results = await second.ReconcileAsync([new DesiredVm(QemuHost.Vm("adopt"), DesiredPower.Running, 0, TimeSpan.FromSeconds(5))], Ct);
        var (action, error) = Assert.Single(results);
        Assert.IsType<VmAction.Adopt>(action);
        Assert.Null(error);
        Assert.Equal(pid, second.PidOf("adopt"));
        Assert.True(ProcessInspector.IsAlive(pid));
        Assert.True((Assert.Single(await second.ObserveAsync(Ct))).Managed);
    }

    [Fact]
    public async Task QemuKilledWhileAgentAway_IsReportedCrashedWithSignalAndSerialLog()
    {
        await using var host = new QemuHost();
        var first = host.NewManager();
        var pid = await first.StartAsync(QemuHost.Vm("dies"), paused: false, 0, Ct);
        await first.DisposeAsync();

        Assert.True(ProcessInspector.Signal(pid, 9));
        await QemuHost.WaitUntilAsync(() => File.Exists(host.PathsOf("dies").ExitStatusFile), TimeSpan.FromSeconds(10), "the supervisor to record the exit");

        var second = host.NewManager();
        var seen = Assert.Single(await second.ObserveAsync(Ct));
        Assert.Equal(ObservedPower.Crashed, seen.Power);
        Assert.Contains("qemu killed by signal 9 (SIGKILL) while the agent was away", seen.Reason);
        Assert.Contains("last serial log lines:", seen.Reason);
        Assert.Equal(Infra.V1.InstanceState.Error, VmSpecMapping.ToStatus(seen).State);
        Assert.False(host.Runner.CgroupOf("dies").Exists);

        // The diagnosis is kept: a third agent run reports the same reason, and the plan does not restart it.
        var third = host.NewManager();
        Assert.Equal(seen.Reason, Assert.Single(await third.ObserveAsync(Ct)).Reason);
        Assert.Empty(VmReconciler.Plan([new DesiredVm(QemuHost.Vm("dies"), DesiredPower.Running, 0, TimeSpan.FromSeconds(5))], await third.ObserveAsync(Ct)));
    }

    [Fact]
    public async Task QemuKilledWhileHeld_IsReportedCrashedRightAway_WithoutBlamingAnAbsence()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("held"), paused: false, 0, Ct);
        Assert.True(ProcessInspector.Signal(pid, 9));
        await QemuHost.WaitUntilAsync(() => !ProcessInspector.IsAlive(pid), TimeSpan.FromSeconds(10), "qemu to die");

        var seen = Assert.Single(await m.ObserveAsync(Ct));
        Assert.Equal(ObservedPower.Crashed, seen.Power);
        Assert.StartsWith("qemu killed by signal 9 (SIGKILL); last serial log lines:", seen.Reason);
        Assert.Null(m.PidOf("held"));
    }

    [Fact]
    public async Task Cgroup_8VcpusAt4000MhzOn2000MhzCores_Gets200PercentAndQemuIsInIt_LiveChangeRewritesIt()
    {
        await using var host = new QemuHost(mhzPerCore: 2000);
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("quota", vcpus: 8, cpuMhz: 4000, quotaPercent: 200), paused: true, 0, Ct);

        var cg = host.Runner.CgroupOf("quota");
        Assert.Equal((200_000L, 100_000L), cg.ReadCpuQuota());
        Assert.True(cg.Contains(pid), $"qemu {pid} is not in its cgroup");
        Assert.Equal((64L + 256) * 1024 * 1024, cg.ReadMemoryMax()); // guest RAM + qemu overhead

        var results = await m.ReconcileAsync([new DesiredVm(QemuHost.Vm("quota", vcpus: 8, cpuMhz: 1000, quotaPercent: 50), DesiredPower.Paused, 0, TimeSpan.FromSeconds(5))], Ct);
        Assert.Equal([new VmAction.SetCpu("quota", 1000, 50)], results.Select(r => r.Action));
        Assert.Equal((50_000L, 100_000L), cg.ReadCpuQuota());
        Assert.Equal(1000, host.NewManager().Store.Load("quota")!.Definition.CpuMhz);
        Assert.True(cg.Contains(pid));
    }

    [Fact]
    public async Task Start_WhenQemuRejectsItsArguments_FailsWithQemusErrorAndLeavesNoCgroup()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var vm = QemuHost.Vm("bad") with { DiskSockets = [Path.Combine(host.StateRoot, "no-such-volume.sock")] };
        var e = await Assert.ThrowsAsync<VmStartException>(() => m.StartAsync(vm, false, 0, Ct));
        Assert.Contains("qemu exited with status 1 at start", e.Message);
        Assert.Contains("no-such-volume.sock", e.Message);
        Assert.False(host.Runner.CgroupOf("bad").Exists);
    }
}
