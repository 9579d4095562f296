using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Monitor;
using Infra.Agent.Vm.Monitor;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>Lifecycle operations on one running guest (shared by the class): state from QMP events, serial log, live CPU change.</summary>
[Collection(AgentGuestCollection.Name)]
public sealed class RunningVmTests(AgentGuestFixture f)
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Start_ReportsRunningFromQemusResumeEvent_AndKeepsSerialLog()
    {
        // The host started qemu with -S and returned only after RESUME: the event-tracked state says running.
        var status = await f.T.Host.StatusAsync(f.Id);
        Assert.Equal(new VmRunStatus(true, "running"), status);
        var vm = (await f.T.Host.Vms.ObserveAsync(Ct)).Single(v => v.Id == f.Id);
        Assert.Equal(ObservedPower.Running, vm.Power);
        Assert.Equal(f.Started.Pid, vm.Pid);
        Assert.Contains("GUEST-BOOTED", File.ReadAllText(f.T.PathsOf(f.Id).SerialLog));
        Assert.True(f.Started.Running >= f.Started.VolumesReady);
    }

    [Fact]
    public async Task PauseResume_StateFollowsStopAndResumeEvents()
    {
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var listening = new TaskCompletionSource();
        var listener = await f.T.Host.Vms.WithMonitorAsync(f.Id, m => Task.FromResult(Task.Run(async () =>
        {
            await using var e = m.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            var next = e.MoveNextAsync();
            listening.SetResult();
            while (await next)
            {
                lock (seen) seen.Add(e.Current.Name);
                if (e.Current.Name == "RESUME") return;
                next = e.MoveNextAsync();
            }
        })), Ct);
        await listening.Task;

        await f.T.Host.Vms.PauseAsync(f.Id, Ct);
        Assert.Equal(new VmRunStatus(false, "paused"), await f.T.Host.StatusAsync(f.Id));
        Assert.Equal(ObservedPower.Paused, (await f.T.Host.Vms.ObserveAsync(Ct)).Single(v => v.Id == f.Id).Power);

        await f.T.Host.Vms.ResumeAsync(f.Id, Ct);
        Assert.Equal(new VmRunStatus(true, "running"), await f.T.Host.StatusAsync(f.Id));
        await listener.WaitAsync(TimeSpan.FromSeconds(30));
        lock (seen) Assert.Equal(["STOP", "RESUME"], seen.Where(n => n is "STOP" or "RESUME"));
    }

    [Fact]
    public async Task SetCpu_OnRunningVm_RewritesItsCgroupQuota()
    {
        var cgroup = f.T.Cgroups.For(f.Id);
        Assert.True(cgroup.Contains(f.Started.Pid));
        Assert.Equal((50_000L, 100_000L), cgroup.ReadCpuQuota()); // 1000 MHz on 2000 MHz cores

        await f.T.Host.Vms.SetCpuAsync(f.Id, 3000, 150, Ct);
        Assert.Equal((150_000L, 100_000L), cgroup.ReadCpuQuota());
        Assert.Equal(3000, (await f.T.Host.Vms.ObserveAsync(Ct)).Single(v => v.Id == f.Id).CpuMhz);

        await f.T.Host.Vms.SetCpuAsync(f.Id, 1000, 50, Ct);
        Assert.Equal((50_000L, 100_000L), cgroup.ReadCpuQuota());
    }

    [Fact]
    public async Task WaitForStatus_WhenAlreadyInState_ReturnsAtOnce()
    {
        var s = await f.T.Host.Vms.WithMonitorAsync(f.Id, m => ((QmpVmMonitor)m).WaitForStatusAsync(x => x.Running, TimeSpan.FromSeconds(1), Ct), Ct);
        Assert.True(s.Running);
    }
}
