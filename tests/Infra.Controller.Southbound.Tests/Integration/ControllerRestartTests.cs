using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Southbound.Tests.Support;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>
/// A controller that comes back after being down longer than the failure timeout: its store still
/// holds the heartbeats of an hour ago. The server here is that freshly started controller (its
/// detector was made at start), and the agents reconnect over the real session.
/// </summary>
public sealed class ControllerRestartTests
{
    static async Task StaleHostAsync(SouthboundServer server, string id, string tunnelIp)
    {
        var h = Host(id, tunnelIp);
        h.LastHeartbeat = Timestamp.FromDateTimeOffset(server.Time.GetUtcNow() - TimeSpan.FromHours(1));
        await server.Store.PutAsync(h);
    }

    [Fact]
    public async Task RestartAfterLongOutage_AgentsReconnectWithinTheWindow_NoHostDownAndNoVmMoved()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await StaleHostAsync(server, "h1", "127.0.0.11");
        await StaleHostAsync(server, "h2", "127.0.0.12");
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1, server.Claims);

        // The detector's first pass runs as soon as it leads, before h1's agent is back.
        await using var b = await TestAgent.ConnectAsync(server, "h2", "127.0.0.12");
        await b.WelcomeAsync();
        await Eventually.StoreAsync(server.Store, Kinds.Host, "h2", h => h.LastHeartbeat.ToDateTimeOffset() == server.Time.GetUtcNow(), "h2 reconnect");
        var first = await server.Detector.CheckOnceAsync(CancellationToken.None);

        // One heartbeat interval later h1's agent reconnects too; a full window passes with both beating.
        server.Time.Advance(server.Options.HeartbeatInterval);
        await using var a = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await a.WelcomeAsync();
        await Eventually.StoreAsync(server.Store, Kinds.Host, "h1", h => h.LastHeartbeat.ToDateTimeOffset() == server.Time.GetUtcNow(), "h1 reconnect");
        await server.Detector.CheckOnceAsync(CancellationToken.None);
        for (var beat = 0; beat < server.Options.DownAfterMissed; beat++)
        {
            server.Time.Advance(server.Options.HeartbeatInterval);
            await a.SendAsync(new AgentMessage { Heartbeat = new Heartbeat() });
            await b.SendAsync(new AgentMessage { Heartbeat = new Heartbeat() });
            var now = server.Time.GetUtcNow();
            await Eventually.StoreAsync(server.Store, Kinds.Host, "h1", h => h.LastHeartbeat.ToDateTimeOffset() == now, "h1 beat");
            await Eventually.StoreAsync(server.Store, Kinds.Host, "h2", h => h.LastHeartbeat.ToDateTimeOffset() == now, "h2 beat");
            Assert.Empty(await server.Detector.CheckOnceAsync(CancellationToken.None));
        }

        Assert.Empty(first);
        Assert.Equal(HostState.Up, (await ObjectStore.ReadAsync(server.Store, Kinds.Host, "h1", default))!.State);
        var vm = (await ObjectStore.ReadAsync(server.Store, Kinds.Instance, "i1", default))!;
        Assert.Equal(("h1", InstanceState.Scheduled), (vm.HostId, vm.State));
        Assert.Equal("h1", Assert.Single(await server.Claims.ListAsync()).HostId);
    }

    [Fact]
    public async Task RestartAfterLongOutage_AHostThatNeverComesBack_GoesDownOnlyAfterAFullWindow()
    {
        await using var server = await SouthboundServer.StartAsync();
        await StaleHostAsync(server, "h1", "127.0.0.11");
        var window = server.Options.HeartbeatInterval * server.Options.DownAfterMissed;

        var atStart = await server.Detector.CheckOnceAsync(CancellationToken.None);
        server.Time.Advance(window - TimeSpan.FromMilliseconds(1));
        var justBefore = await server.Detector.CheckOnceAsync(CancellationToken.None);
        server.Time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await server.Detector.CheckOnceAsync(CancellationToken.None);

        Assert.Empty(atStart);
        Assert.Equal([new("h1", HostState.Up, HostState.Suspect)], justBefore);
        Assert.Equal([new("h1", HostState.Suspect, HostState.Down)], after);
    }
}
