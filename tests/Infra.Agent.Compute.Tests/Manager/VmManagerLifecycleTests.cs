using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Compute.Tests.Support;

namespace Infra.Agent.Compute.Tests.Manager;

/// <summary>The manager's lifecycle over real qemu (TCG) and the test-only QMP helper.</summary>
[Collection("qemu")]
public sealed class VmManagerLifecycleTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static DesiredVm Want(string id, DesiredPower p, ulong gen = 0) => new(QemuHost.Vm(id), p, gen, TimeSpan.FromSeconds(1));

    [Fact]
    public async Task PauseAndResume_AreObservedThroughQmp()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        await m.StartAsync(QemuHost.Vm("pr"), paused: false, 0, Ct);
        Assert.Equal(ObservedPower.Running, Assert.Single(await m.ObserveAsync(Ct)).Power);
        await m.PauseAsync("pr", Ct);
        Assert.Equal(ObservedPower.Paused, Assert.Single(await m.ObserveAsync(Ct)).Power);
        await m.ResumeAsync("pr", Ct);
        Assert.Equal(ObservedPower.Running, Assert.Single(await m.ObserveAsync(Ct)).Power);
    }

    [Fact]
    public async Task Start_QemuDropsToTheUnprivilegedAccount_UnderItsSeccompSandbox()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("ru"), paused: false, 0, Ct);
        var user = Infra.Agent.Compute.Qemu.QemuUser.Resolve(Infra.Agent.Compute.Qemu.QemuUser.DefaultName);
        var status = File.ReadAllLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).ToDictionary(f => f[0], f => f[1].Trim());
        // Real, effective, saved and filesystem ids all dropped: no way back to root.
        Assert.Equal(string.Join('\t', Enumerable.Repeat(user.Uid, 4)), status["Uid"]);
        Assert.Equal(string.Join('\t', Enumerable.Repeat(user.Gid, 4)), status["Gid"]);
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("2", status["Seccomp"]); // SECCOMP_MODE_FILTER
        // And it still does its job: the monitor answers through the socket it bound as root.
        await m.PauseAsync("ru", Ct);
        Assert.Equal(ObservedPower.Paused, Assert.Single(await m.ObserveAsync(Ct)).Power);
    }

    [Fact]
    public void NoSuchAccount_TheManagerRefusesToStart_SayingHowToCreateIt()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Infra.Agent.Compute.Qemu.QemuUser.Resolve("infra-no-such-user"));
        Assert.Contains("compute.qemu_user 'infra-no-such-user' is not an account on this host", e.Message);
        Assert.Contains("useradd --system", e.Message);
    }

    [Fact]
    public async Task Shutdown_GuestIgnoresPowerdown_PowersOffAfterTimeoutAndReportsStoppedNotCrashed()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("off"), paused: false, 0, Ct);
        // No OS is running, so nothing answers the ACPI power button: the timeout path is taken.
        await m.ShutdownAsync("off", TimeSpan.FromSeconds(1), Ct);

        Assert.False(ProcessInspector.IsAlive(pid));
        var seen = Assert.Single(await host.NewManager().ObserveAsync(Ct));
        Assert.Equal((ObservedPower.Stopped, (string?)null), (seen.Power, seen.Reason));
        Assert.False(host.Runner.CgroupOf("off").Exists);
    }

    [Fact]
    public async Task Reconcile_WalksStartPauseStopStartDestroy()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();

        Assert.IsType<VmAction.Start>(Assert.Single(await m.ReconcileAsync([Want("rc", DesiredPower.Running)], Ct)).Action);
        var pid = m.PidOf("rc")!.Value;
        Assert.Empty(await m.ReconcileAsync([Want("rc", DesiredPower.Running)], Ct)); // steady state: nothing to do

        Assert.IsType<VmAction.Pause>(Assert.Single(await m.ReconcileAsync([Want("rc", DesiredPower.Paused)], Ct)).Action);
        Assert.Equal(ObservedPower.Paused, Assert.Single(await m.ObserveAsync(Ct)).Power);

        var stop = Assert.Single(await m.ReconcileAsync([Want("rc", DesiredPower.Stopped)], Ct));
        Assert.Equal((typeof(VmAction.Stop), (string?)null), (stop.Action.GetType(), stop.Error));
        Assert.False(ProcessInspector.IsAlive(pid));

        Assert.IsType<VmAction.Start>(Assert.Single(await m.ReconcileAsync([Want("rc", DesiredPower.Running)], Ct)).Action);
        var pid2 = m.PidOf("rc")!.Value;
        Assert.NotEqual(pid, pid2);

        Assert.Empty(await m.ReconcileAsync([], Ct)); // absent is not deleted: only a tombstone removes it
        Assert.True(ProcessInspector.IsAlive(pid2));
        var destroy = Assert.Single(await m.ReconcileAsync([], Ct, deleted: new HashSet<string> { "rc" }));
        Assert.Equal((typeof(VmAction.Destroy), (string?)null), (destroy.Action.GetType(), destroy.Error));
        Assert.False(ProcessInspector.IsAlive(pid2));
        Assert.False(Directory.Exists(host.PathsOf("rc").Directory));
        Assert.False(host.Runner.CgroupOf("rc").Exists);
    }

    [Fact]
    public async Task GuestPowersItselfOff_IsReportedExitedAndStaysDownUntilGenerationBump()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("self"), paused: false, 0, Ct);
        // No guest OS here: qemu's clean exit on SIGTERM (status 0, not asked for by the manager) is
        // exactly what the manager sees when a guest powers off.
        Assert.True(ProcessInspector.Signal(pid, 15));
        await QemuHost.WaitUntilAsync(() => !ProcessInspector.IsAlive(pid), TimeSpan.FromSeconds(10), "qemu to exit");

        var seen = Assert.Single(await m.ObserveAsync(Ct));
        Assert.Equal((ObservedPower.Exited, "the guest powered off"), (seen.Power, seen.Reason));
        Assert.Equal(Infra.V1.InstanceState.Stopped, VmSpecMapping.ToStatus(seen).State);
        Assert.Empty(await m.ReconcileAsync([Want("self", DesiredPower.Running)], Ct));
        Assert.IsType<VmAction.Start>(Assert.Single(await m.ReconcileAsync([Want("self", DesiredPower.Running, gen: 1)], Ct)).Action);
        Assert.True(ProcessInspector.IsAlive(m.PidOf("self")!.Value));
    }

    [Fact]
    public void Options_ReportEveryProblemAtOnce()
    {
        var errors = new ComputeOptions { StateRoot = "relative/" + new string('x', 60), MhzPerCore = 0, MemoryOverheadMib = -1 }.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("too long for unix socket paths"));
        Assert.Contains(errors, e => e.Contains("MhzPerCore must be set"));
    }

    [Fact]
    public async Task Reboot_ResetsInPlaceWithTheSamePid()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        var pid = await m.StartAsync(QemuHost.Vm("rb"), paused: false, 1, Ct);
        var r = Assert.Single(await m.ReconcileAsync([Want("rb", DesiredPower.Running, gen: 2)], Ct));
        Assert.Equal((new VmAction.Reboot("rb", 2) as VmAction, (string?)null), (r.Action, r.Error));
        Assert.Equal(pid, m.PidOf("rb"));
        Assert.Equal(2UL, Assert.Single(await m.ObserveAsync(Ct)).RebootGeneration);
    }

    [Fact]
    public async Task Start_KvmUnusableAndTcgNotAllowed_FailsSayingWhatToSet_AndStartsNothing()
    {
        await using var host = new QemuHost();
        var probe = new AcceleratorProbe(new AcceleratorOptions { AllowTcg = false, KvmDevice = "/dev/infra-test-no-kvm" });
        var m = host.NewManager(probe);
        var e = await Assert.ThrowsAsync<VmStartException>(() => m.StartAsync(QemuHost.Vm("nokvm"), false, 0, Ct));
        Assert.Contains("/dev/infra-test-no-kvm does not exist", e.Message);
        Assert.Contains("set AllowTcg=true", e.Message);
        Assert.False(Directory.Exists(host.PathsOf("nokvm").Directory));
    }

    [Fact]
    public async Task Start_QemuFailsBeforeItsMonitorAnswers_IsReportedAsAFailedStart_NotACrashWhileAway()
    {
        await using var host = new QemuHost();
        var m = host.NewManager();
        // No daemon serves this socket: qemu gives up while building the machine, before QMP greets.
        var vm = QemuHost.Vm("nodisk") with { DiskSockets = [Path.Combine(host.StateRoot, "absent-vhost.sock")] };
        await Assert.ThrowsAnyAsync<Exception>(() => m.StartAsync(vm, paused: false, 0, Ct));
        var observed = Assert.Single(await m.ObserveAsync(Ct));
        Assert.Equal(ObservedPower.Crashed, observed.Power);
        Assert.StartsWith("start failed: ", observed.Reason);
        Assert.DoesNotContain("while the agent was away", observed.Reason);
    }
}
