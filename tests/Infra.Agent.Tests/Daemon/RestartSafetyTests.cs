using Infra.Agent.Compute.Runners;
using Infra.Agent.Core.Apply;
using Infra.Agent.Tests.Support;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// The issue's core promise, against the real daemon process and real qemu (TCG, diskless guest,
/// supervised-child runner, no OVS): SIGKILL the agent at several moments, start it again, and the
/// VM's qemu is the same process, reported RUNNING in a full status report, with the applied version
/// kept; a qemu killed while the agent is down is reported as crashed, with a reason.
/// </summary>
public class RestartSafetyTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>Session 1 (or any session claiming nothing) gets v1 with one VM; a session claiming v1 gets nothing more.</summary>
    private static Task Script(ScriptedSession s) => s.Hello.AppliedVersion == 1 ? Task.CompletedTask : s.SendAsync(Full(1, Vm("vm1")));

    [Fact]
    public async Task KilledAfterAck_RestartAdoptsTheRunningVm_ThenReportsAQemuKilledMeanwhileAsCrashed()
    {
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = Script;
        await using var agent = new AgentDaemon(server.Url);
        agent.Start();

        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1");
        var pid = await WaitVmAsync(server.Controller, 1, v => v.State == InstanceState.Running && v.Pid > 0, full: false, agent);
        var started = AgentDaemon.StartTime(pid);

        // Killed right after the ack: nothing is cleaned up, the VM must not notice.
        await agent.WaitHookAsync(TestHooks.AfterAck, Long);
        await agent.KillAsync();
        Assert.True(ProcessInspector.IsAlive(pid), "qemu died with the agent");
        agent.Start();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello after restart");
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        Assert.Equal(pid, await WaitVmAsync(server.Controller, session, v => v.State == InstanceState.Running, full: true, agent));
        Assert.Equal(started, AgentDaemon.StartTime(pid));
        Assert.DoesNotContain(server.Controller.From(session), m => m.Ack is not null || m.Nack is not null);

        // qemu dies while the agent is down: the next agent reports it crashed, with why.
        await agent.KillAsync();
        ProcessInspector.Signal(pid, 9);
        for (var i = 0; i < 200 && ProcessInspector.IsAlive(pid); i++) await Task.Delay(25);
        agent.Start();
        var (s3, _) = await server.Controller.WaitForAsync((s, m) => s > session && m.Hello is not null, Long, "Hello after the second restart");
        await WaitVmAsync(server.Controller, s3, v => v.State == InstanceState.Error && v.Reason.Contains("while the agent was away"), full: true, agent);
        Assert.Null(agent.QemuPid("vm1"));
    }

    [Theory]
    [InlineData(TestHooks.BeforeApply)]
    [InlineData(TestHooks.BeforeAck)]
    public async Task KilledMidApply_RestartConvergesOnThePersistedState_WithoutRestartingTheVm(string point)
    {
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = Script;
        await using var agent = new AgentDaemon(server.Url);
        agent.Start(pauseAt: point);
        await agent.WaitHookAsync(point, Long);
        var before = agent.QemuPid("vm1");
        // Before the apply nothing runs yet; before the ack the VM is already up.
        Assert.Equal(point == TestHooks.BeforeAck, before is not null);
        await agent.KillAsync();
        Assert.DoesNotContain(server.Controller.Received, r => r.Message.Ack is not null);

        agent.Start();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello after restart");
        // The persisted v1 was enforced before dialing, so the agent claims it.
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        var pid = await WaitVmAsync(server.Controller, session, v => v.State == InstanceState.Running && v.Pid > 0, full: true, agent);
        if (before is { } b) Assert.Equal(b, pid);
    }

    [Fact]
    public async Task ControllerAway_VmKeepsRunning_AgentRetries_AndResumesWithoutReapplying()
    {
        await using var server = await ControllerServer.StartAsync();
        server.Controller.Script = Script;
        await using var agent = new AgentDaemon(server.Url);
        agent.Start();
        await server.Controller.WaitForAsync((_, m) => m.Ack?.Version == 1, Long, "Ack v1");
        var pid = await WaitVmAsync(server.Controller, 1, v => v.State == InstanceState.Running && v.Pid > 0, full: false, agent);

        await server.StopAsync();
        // Several reconcile passes (1 s) and dial attempts go by with nobody to talk to.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(agent.IsRunning, "the agent gave up: " + agent.Log());
        Assert.True(ProcessInspector.IsAlive(pid));
        Assert.Equal(pid, agent.QemuPid("vm1"));

        await server.RestartAsync();
        var (session, hello) = await server.Controller.WaitForAsync((s, m) => s >= 2 && m.Hello is not null, Long, "Hello when the controller is back");
        Assert.Equal(1UL, hello.Hello.AppliedVersion);
        Assert.Equal(pid, await WaitVmAsync(server.Controller, session, v => v.State == InstanceState.Running, full: true, agent));
        Assert.Equal(pid, agent.QemuPid("vm1"));

        // While the agent runs, a qemu that dies is reported as a change, with the reason.
        ProcessInspector.Signal(pid, 9);
        await WaitVmAsync(server.Controller, session, v => v.State == InstanceState.Error && v.Reason.Contains("qemu"), full: false, agent);
    }

    /// <summary>Waits until vm1's latest reported status in a session at or after <paramref name="minSession"/> matches; returns its PID.</summary>
    private static async Task<int> WaitVmAsync(ScriptedController c, int minSession, Func<VmStatus, bool> match, bool full, AgentDaemon agent)
    {
        var deadline = DateTime.UtcNow + Long;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var (s, m) in c.Received.Where(r => r.Session >= minSession && r.Message.Status is not null))
                if ((!full || m.Status.Full) && m.Status.Vms.FirstOrDefault(v => v.Id == "vm1") is { } vm && match(vm)) return vm.Pid;
            await Task.Delay(50);
        }
        var seen = string.Join("; ", c.Received.Where(r => r.Message.Status is not null).Select(r => $"s{r.Session} full={r.Message.Status.Full} {string.Join(",", r.Message.Status.Vms.Select(v => $"{v.Id}:{v.State}:{v.Pid}:{v.Reason}"))}"));
        throw new TimeoutException($"vm1 status never matched; reports: {seen}; agent log: {agent.Log()}");
    }
}
