using Infra.Agent.Core.State;
using Infra.V1;
using static Infra.Agent.Tests.Support.Resources;

namespace Infra.Agent.Tests.Session;

public class SouthboundClientTests
{
    [Fact]
    public async Task FullState_IsPersistedAppliedAndAcked_AfterHelloAndWelcome()
    {
        await using var h = await SessionHarness.StartAsync(s => s.SendAsync(Full(5, Vm("a"), Port("p", "a", "tap-p"))));
        await h.WaitAckAsync(5);
        var hello = h.Controller.Received.First().Message.Hello;
        Assert.Equal(("host-1", "boot-1", 0UL, 2u), (hello.HostId, hello.BootId, hello.AppliedVersion, hello.Inventory.Cores));
        var onDisk = new DesiredStateStore(h.Dir).Load().Snapshot;
        Assert.Equal(5UL, onDisk.Version);
        Assert.Equal(2, onDisk.Resources.Count);
        Assert.Contains(h.Applier.Applied, s => s.Version == 5);
    }

    [Fact]
    public async Task OverTls_TrustingTheConfiguredCa_TheSessionWorks()
    {
        await using var h = await SessionHarness.StartAsync(s => s.SendAsync(Full(2, Vm("a"))), tls: true);
        Assert.StartsWith("https://", h.Server.Url);
        await h.WaitAckAsync(2);
        Assert.Equal("Bearer t0ken", h.Controller.Authorization);
    }

    [Fact]
    public async Task StatusReport_IsFullAfterHello_ThenOnlyChanges()
    {
        await using var h = await SessionHarness.StartAsync(_ => Task.CompletedTask);
        var (_, first) = await h.Controller.WaitForAsync((_, m) => m.Status is not null, SessionHarness.Timeout, "a status report");
        Assert.True(first.Status.Full);
        Assert.Equal(InstanceState.Running, Assert.Single(first.Status.Vms).State);
        h.Vms.State = InstanceState.Error;
        var (_, change) = await h.Controller.WaitForAsync((_, m) => m.Status is { Full: false }, SessionHarness.Timeout, "a change report");
        Assert.Equal(InstanceState.Error, Assert.Single(change.Status.Vms).State);
    }

    [Fact]
    public async Task Delta_OnTheHeldBase_IsMergedAndAcked()
    {
        await using var h = await SessionHarness.StartAsync(async s =>
        {
            await s.SendAsync(Full(1, Vm("a")));
            await s.SendAsync(Delta(2, 1, [Vm("b")]));
            await s.SendAsync(Delta(3, 2, [], Ref(DesiredKind.Vm, "a")));
        });
        await h.WaitAckAsync(3);
        Assert.Equal(["b"], h.Loop.Current.OfKind(DesiredKind.Vm).Select(r => r.Vm.Id));
        Assert.Equal(3UL, new DesiredStateStore(h.Dir).Load().Snapshot.Version);
    }

    [Fact]
    public async Task Delta_OnAnotherBase_IsNacked_AndTheAgentRedialsAskingForAFullState()
    {
        await using var h = await SessionHarness.StartAsync(async s =>
        {
            if (s.Index == 1)
            {
                await s.SendAsync(Full(1, Vm("a")));
                await Task.Delay(300);
                await s.SendAsync(Delta(9, 8, [Vm("b")]));
            }
            else await s.SendAsync(Full(9, Vm("a"), Vm("b")));
        });
        await h.WaitAckAsync(1, session: 1);
        var (_, nack) = await h.Controller.WaitForAsync((_, m) => m.Nack is not null, SessionHarness.Timeout, "Nack of the delta");
        Assert.Equal(9UL, nack.Nack.Version);
        Assert.Contains("based on v8 but the agent holds v1", nack.Nack.Error);
        var (_, hello2) = await h.Controller.WaitForAsync((s, m) => s == 2 && m.Hello is not null, SessionHarness.Timeout, "second Hello");
        Assert.Equal(0UL, hello2.Hello.AppliedVersion);
        await h.WaitAckAsync(9, session: 2);
    }

    [Fact]
    public async Task ObjectsThatFail_AreNackedOneByOne_AndTheRestStaysApplied()
    {
        await using var h = await SessionHarness.StartAsync(s => s.SendAsync(Full(4, Vm("good"), Vm("bad"))),
            arrange: a => a.Errors = snap => snap.Resources.ContainsKey(new ResourceKey(DesiredKind.Vm, "bad"))
                ? [new ResourceError { Ref = Ref(DesiredKind.Vm, "bad"), Error = "qemu exited with status 1" }]
                : []);
        var (_, m) = await h.Controller.WaitForAsync((_, m) => m.Nack is not null, SessionHarness.Timeout, "Nack v4");
        Assert.Equal(4UL, m.Nack.Version);
        var e = Assert.Single(m.Nack.Errors);
        Assert.Equal(("bad", "qemu exited with status 1"), (e.Ref.Id, e.Error));
        Assert.Equal(4UL, new DesiredStateStore(h.Dir).Load().Snapshot.Version);
    }

    [Fact]
    public async Task StatesArrivingDuringAnApply_AreCoalesced_IntoOneMorePassOfTheLatest()
    {
        await using var h = await SessionHarness.StartAsync(async s =>
        {
            await s.SendAsync(Full(1, Vm("a")));
            await s.SendAsync(Delta(2, 1, [Vm("b")]));
            await s.SendAsync(Delta(3, 2, [Vm("c")]));
        }, arrange: a => a.HoldVersion = 1);   // before the session starts: v1 may arrive at once
        await WaitUntil(() => h.Loop.Current.Version == 3, "v3 to be accepted while v1 is applying");
        h.Applier.Gate.Release();
        await h.WaitAckAsync(3);
        Assert.Equal([1UL, 3UL], h.Applier.Applied.Select(s => s.Version).Where(v => v > 0));
        Assert.DoesNotContain(h.Controller.Received, r => r.Message.Ack?.Version == 2);
    }

    [Fact]
    public async Task ControllerAway_AgentRetries_AndResumesClaimingTheAppliedVersion()
    {
        await using var h = await SessionHarness.StartAsync(s => s.Index == 1 ? s.SendAsync(Full(3, Vm("a"))) : Task.CompletedTask);
        await h.WaitAckAsync(3);
        await h.Server.StopAsync();
        await WaitUntil(() => h.Client.State != Core.Session.SessionState.Connected, "the agent to notice");
        await Task.Delay(500); // a few failed dials against the closed port
        Assert.Equal(1, h.Client.Sessions);
        await h.Server.RestartAsync();
        var (_, hello) = await h.Controller.WaitForAsync((s, m) => s == 2 && m.Hello is not null, SessionHarness.Timeout, "Hello after the controller came back");
        Assert.Equal(3UL, hello.Hello.AppliedVersion);
        Assert.Equal(3UL, h.Loop.Current.Version);
    }

    private static async Task WaitUntil(Func<bool> cond, string what)
    {
        var deadline = DateTime.UtcNow + SessionHarness.Timeout;
        while (!cond())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            await Task.Delay(20);
        }
    }
}
