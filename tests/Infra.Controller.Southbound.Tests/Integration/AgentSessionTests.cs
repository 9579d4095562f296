using Infra.Controller.Southbound.Tests.Support;
using Infra.Flows.Flows;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>The session over real gRPC (Kestrel h2c on loopback) with a SQLite store; our client plays the agent.</summary>
public sealed class AgentSessionTests
{
    static Resource? Find(TestAgent a, DesiredKind kind, string id) =>
        a.Held.Items.TryGetValue(new(kind, id), out var r) ? r : null;

    [Fact]
    public async Task Hello_GetsWelcomeThenFullStateWithTheVmAndItsFlows_AndRegistersTheHostKeepingOperatorSettings()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        var known = Host("h1", "127.0.0.99", state: HostState.Down);
        known.Cordoned = true;
        known.Overcommit = new Overcommit { CpuRatio = 2, MemoryReserveMib = 1024 };
        await server.Store.PutAsync(known);

        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        var welcome = await agent.WelcomeAsync();
        var full = await agent.NextDesiredAsync();

        Assert.Equal((2000u, "ctl-test"), (welcome.HeartbeatIntervalMs, welcome.ControllerId));
        Assert.True(full.Full);
        Assert.Equal(1ul, full.Version);
        Assert.Equal("i1", Find(agent, DesiredKind.Vm, "i1")!.Vm.Id);
        Assert.Equal(1000u, Find(agent, DesiredKind.Port, "p1")!.Port.Ofport);
        var portFlows = Find(agent, DesiredKind.FlowGroup, Cookies.Port("p1").ToString("x16"))!.FlowGroup.Flows;
        Assert.Contains(portFlows, f => f.Table == 0 && f.Match.Contains("in_port=1000"));
        Assert.Contains(Find(agent, DesiredKind.FlowGroup, Cookies.Policy(7).ToString("x16"))!.FlowGroup.Flows, f => f.Match.Contains("tp_dst=80"));
        var host = await Eventually.StoreAsync(server.Store, Kinds.Host, "h1", h => h.State == HostState.Up, "host registration");
        Assert.Equal(("127.0.0.11", 16u), (host.Inventory.TunnelIp, host.Inventory.Cores));
        Assert.True(host.Cordoned); // operator settings survive re-registration
        Assert.Equal(1024ul, host.Overcommit.MemoryReserveMib);
        Assert.Equal(server.Time.GetUtcNow(), host.LastHeartbeat.ToDateTimeOffset());
    }

    [Fact]
    public async Task PolicyRuleAdded_SendsDeltaWithOnlyThePolicyFlowGroup_AndAckRecordsAppliedVersion()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await agent.WelcomeAsync();
        await agent.NextDesiredAsync();

        await server.Store.PutAsync(Policy("pol-web", "t1", AllowTcp("r80", 80), AllowTcp("r22", 22)));
        var delta = await agent.NextDesiredAsync();
        await agent.SendAsync(new AgentMessage { Ack = new Ack { Version = delta.Version } });

        Assert.False(delta.Full);
        Assert.Equal((2ul, 1ul), (delta.Version, delta.BaseVersion));
        var group = Assert.Single(delta.Upserts).FlowGroup;
        Assert.Equal(Cookies.Policy(7), group.Cookie);
        Assert.Contains(group.Flows, f => f.Match.Contains("tp_dst=22"));
        Assert.Empty(delta.Removals);
        await Eventually.StoreAsync(server.Store, Kinds.Host, "h1", h => h.AppliedVersion == 2, "ack of v2");
    }

    [Fact]
    public async Task Reconnect_HoldingLastVersion_GetsNoResendThenDeltas_WhileStaleVersionGetsFullState()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        Infra.Controller.Southbound.Desired.HostResources held;
        await using (var first = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11"))
        {
            await first.WelcomeAsync();
            await first.NextDesiredAsync();
            held = first.Held;
        }

        await using (var again = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11", appliedVersion: 1, held: held))
        {
            await again.WelcomeAsync();
            Assert.True(await again.QuietAsync(TimeSpan.FromMilliseconds(700)), "the agent already holds v1; nothing should be resent");
            await Seed.VmAsync(server.Store, "i2", "p2", "h1", 2);
            var delta = await again.NextDesiredAsync();
            Assert.False(delta.Full);
            Assert.Equal((2ul, 1ul), (delta.Version, delta.BaseVersion));
            Assert.NotNull(Find(again, DesiredKind.Vm, "i2"));
            Assert.Equal(1001u, Find(again, DesiredKind.Port, "p2")!.Port.Ofport);
        }

        await using var stale = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11", appliedVersion: 1);
        await stale.WelcomeAsync();
        var full = await stale.NextDesiredAsync();
        Assert.True(full.Full);
        Assert.Equal(3ul, full.Version);
        Assert.Equal(1000u, Find(stale, DesiredKind.Port, "p1")!.Port.Ofport); // ofports survive reconnects
        Assert.Equal(1001u, Find(stale, DesiredKind.Port, "p2")!.Port.Ofport);
    }

    [Fact]
    public async Task TwoAgentsSharingATenant_GetTunnelsToEachOther()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await Seed.VmAsync(server.Store, "i2", "p2", "h2", 2);

        await using var a = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await a.WelcomeAsync();
        await using var b = await TestAgent.ConnectAsync(server, "h2", "127.0.0.12");
        await b.WelcomeAsync();
        await a.DesiredUntilAsync(x => Find(x, DesiredKind.Tunnel, "h2") is not null);
        await b.DesiredUntilAsync(x => Find(x, DesiredKind.Tunnel, "h1") is not null);

        var ab = Find(a, DesiredKind.Tunnel, "h2")!.Tunnel;
        var ba = Find(b, DesiredKind.Tunnel, "h1")!.Tunnel;
        Assert.Equal(("127.0.0.12", 100u), (ab.RemoteIp, ab.Ofport));
        Assert.Equal(("127.0.0.11", 100u), (ba.RemoteIp, ba.Ofport));
        Assert.Contains(Find(a, DesiredKind.FlowGroup, Cookies.Port("p2").ToString("x16"))!.FlowGroup.Flows, f => f.Actions.Contains("output:100"));
    }

    [Fact]
    public async Task BadHello_EndsTheCallWithInvalidArgumentListingEveryProblem()
    {
        await using var server = await SouthboundServer.StartAsync();
        await using var agent = await TestAgent.ConnectAsync(server, "Bad_Host", "nowhere", cores: 0);

        var e = await Assert.ThrowsAsync<RpcException>(agent.NextAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("not a DNS label", e.Status.Detail);
        Assert.Contains("cores", e.Status.Detail);
        Assert.Contains("tunnel_ip 'nowhere'", e.Status.Detail);
        Assert.False(server.Sessions.IsConnected("Bad_Host"));
    }

    [Fact]
    public async Task StatusReportsNacksAndHeartbeats_UpdateTheStoredObjects()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await Seed.VmAsync(server.Store, "i2", "p2", "h1", 2);
        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await agent.WelcomeAsync();
        var full = await agent.NextDesiredAsync();

        var report = new StatusReport { Full = true };
        report.Vms.Add(new VmStatus { Id = "i1", State = InstanceState.Running, Pid = 4242 });
        report.Ports.Add(new PortState { Id = "p1", Ofport = 1000, Up = true });
        report.Ports.Add(new PortState { Id = "p2", Ofport = -1, Error = "could not open network device tap123 (No such device)" });
        await agent.SendAsync(new AgentMessage { Status = report });
        var nack = new Nack { Version = full.Version, Error = "1 of 9 objects failed" };
        nack.Errors.Add(new ResourceError { Ref = new ResourceRef { Kind = DesiredKind.Vm, Id = "i2" }, Error = "qemu exited with status 1: could not open disk" });
        await agent.SendAsync(new AgentMessage { Nack = nack });
        server.Time.Advance(TimeSpan.FromSeconds(3));
        await agent.SendAsync(new AgentMessage { Heartbeat = new Heartbeat { AppliedVersion = full.Version } });

        await Eventually.StoreAsync(server.Store, Kinds.Instance, "i1", i => i.State == InstanceState.Running, "i1 RUNNING");
        var p1 = await Eventually.StoreAsync(server.Store, Kinds.Port, "p1", p => p.Status == PortStatus.Up, "p1 UP");
        var p2 = await Eventually.StoreAsync(server.Store, Kinds.Port, "p2", p => p.Status == PortStatus.Error, "p2 ERROR");
        var i2 = await Eventually.StoreAsync(server.Store, Kinds.Instance, "i2", i => i.State == InstanceState.Error, "i2 ERROR from the nack");
        var h1 = await Eventually.StoreAsync(server.Store, Kinds.Host, "h1",
            h => h.LastHeartbeat.ToDateTimeOffset() == server.Time.GetUtcNow(), "heartbeat recorded");
        Assert.Equal("", p1.StatusReason);
        Assert.Contains("No such device", p2.StatusReason);
        Assert.Contains("could not open disk", i2.StateReason);
        Assert.Equal(HostState.Up, h1.State);

        // The nack left the agent with a partial state: the next change comes as a full state.
        await server.Store.PutAsync(Policy("pol-web", "t1", AllowTcp("r80", 80), AllowTcp("r443", 443)));
        var next = await agent.NextDesiredAsync();
        Assert.True(next.Full);
        Assert.Equal(full.Version + 1, next.Version);
    }

    [Fact]
    public async Task Heartbeats_CauseNoResends()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await agent.WelcomeAsync();
        await agent.NextDesiredAsync();

        for (var i = 0; i < 3; i++) await BeatAfterAsync(server, agent, TimeSpan.FromSeconds(2));

        Assert.True(await agent.QuietAsync(TimeSpan.FromMilliseconds(500)), "heartbeats must not produce desired-state messages");
    }

    [Fact]
    public async Task SecondSessionForTheSameHost_AbortsTheFirst()
    {
        await using var server = await SouthboundServer.StartAsync();
        await using var first = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await first.WelcomeAsync();
        await first.NextDesiredAsync();

        await using var second = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11", appliedVersion: 1);
        await second.WelcomeAsync();
        var e = await Assert.ThrowsAsync<RpcException>(first.NextAsync);

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Contains("newer session for host h1", e.Status.Detail);
        Assert.True(server.Sessions.IsConnected("h1"));
    }

    [Fact]
    public async Task HeartbeatsStop_HostGoesSuspectThenDown_AndItsVmIsSentToTheOtherHost()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1, server.Claims);
        await using var a = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await a.WelcomeAsync();
        await a.NextDesiredAsync();
        await using var b = await TestAgent.ConnectAsync(server, "h2", "127.0.0.12");
        await b.WelcomeAsync();
        await b.NextDesiredAsync();
        Assert.Null(Find(b, DesiredKind.Vm, "i1"));

        // Two intervals of silence from h1 (h2 keeps beating): SUSPECT.
        await BeatAfterAsync(server, b, TimeSpan.FromSeconds(4));
        var first = await server.Detector.CheckOnceAsync(CancellationToken.None);
        Assert.Equal([new("h1", HostState.Up, HostState.Suspect)], first);
        // Four intervals: DOWN, and the VM is re-placed on h2.
        await BeatAfterAsync(server, b, TimeSpan.FromSeconds(4));
        var second = await server.Detector.CheckOnceAsync(CancellationToken.None);
        Assert.Equal([new("h1", HostState.Suspect, HostState.Down)], second);

        var moved = await Eventually.StoreAsync(server.Store, Kinds.Instance, "i1", i => i.HostId == "h2", "i1 re-placed");
        Assert.Equal(InstanceState.Scheduled, moved.State);
        Assert.Contains("h1 went down", moved.StateReason);
        await b.DesiredUntilAsync(x => Find(x, DesiredKind.Vm, "i1") is not null);
        Assert.Equal(1000u, Find(b, DesiredKind.Port, "p1")!.Port.Ofport);
        // The dead host, should it come back, gets the explicit order to remove the VM (absence alone leaves it running).
        await a.DesiredUntilAsync(x => Find(x, DesiredKind.Vm, "i1") is { Vm.Deleted: true });
        Assert.Equal("h2", Assert.Single(await server.Claims.ListAsync()).HostId);
    }

    static async Task BeatAfterAsync(SouthboundServer server, TestAgent agent, TimeSpan by)
    {
        server.Time.Advance(by);
        var now = server.Time.GetUtcNow();
        await agent.SendAsync(new AgentMessage { Heartbeat = new Heartbeat() });
        await Eventually.StoreAsync(server.Store, Kinds.Host, agent.HostId, h => h.LastHeartbeat.ToDateTimeOffset() == now, "heartbeat of " + agent.HostId);
    }
}
