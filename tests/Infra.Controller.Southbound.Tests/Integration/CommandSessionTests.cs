using Google.Protobuf;
using Infra.Controller.Southbound.Commands;
using Infra.Controller.Southbound.Tests.Support;
using Grpc.Core;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>Commands over the real session (Kestrel h2c, SQLite); our client plays the agent message by message.</summary>
public sealed class CommandSessionTests
{
    /// <summary>The next command or control, skipping desired states (acked as an agent would not need to here).</summary>
    static async Task<ControllerMessage> NextCommandSideAsync(TestAgent a)
    {
        for (var i = 0; i < 20; i++)
        {
            var m = await a.NextAsync();
            if (m.MsgCase is ControllerMessage.MsgOneofCase.Command or ControllerMessage.MsgOneofCase.Control) return m;
        }
        throw new Xunit.Sdk.XunitException("no command or control within 20 messages");
    }

    static Task SendChunkAsync(TestAgent a, string id, int n, bool done = false) => a.SendAsync(new AgentMessage
    {
        CommandResult = new CommandResult { CommandId = id, Done = done, Chunk = new ExportChunk { Offset = (ulong)n, Data = ByteString.CopyFrom((byte)n) } },
    });

    [Fact]
    public async Task Export_Window1_TheAgentGetsCreditOnlyAsTheCallerTakesChunks()
    {
        await using var server = await SouthboundServer.StartAsync();
        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await agent.WelcomeAsync();
        var results = server.Commands.RunAsync("h1", new Command { Id = "exp-1", Export = new ExportCommand { SourceId = "vol-1", Window = 1 } }, null, CancellationToken.None)
            .GetAsyncEnumerator();
        var first = results.MoveNextAsync(); // starts the command
        Assert.Equal("exp-1", (await NextCommandSideAsync(agent)).Command.Id);

        for (var n = 0; n < 3; n++)
        {
            await SendChunkAsync(agent, "exp-1", n);
            // Nothing comes back until the caller takes the chunk... (for chunk 0 the caller is
            // already waiting in `first`, so it takes the chunk the moment it arrives and the credit
            // may already be on its way: only later chunks can show the hold-back)
            var pendingCredit = NextCommandSideAsync(agent);
            if (n > 0) Assert.False(pendingCredit.IsCompleted);
            Assert.True(n == 0 ? await first : await results.MoveNextAsync());
            Assert.Equal(n, (int)results.Current.Chunk.Offset);
            // ...then exactly one credit.
            var credit = (await pendingCredit).Control;
            Assert.Equal(("exp-1", 1u, false), (credit.CommandId, credit.Credit, credit.Cancel));
        }
        await SendChunkAsync(agent, "exp-1", 3, done: true);
        Assert.True(await results.MoveNextAsync());
        Assert.False(await results.MoveNextAsync());
    }

    [Fact]
    public async Task Console_CreditFollowsTheCaller_AndDesiredStateAndHeartbeatsFlowBesideAStalledConsole()
    {
        await using var server = await SouthboundServer.StartAsync();
        await Seed.TenantAsync(server.Store);
        await Seed.VmAsync(server.Store, "i1", "p1", "h1", 1);
        await using var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await agent.WelcomeAsync();
        var full = await agent.NextDesiredAsync();
        await agent.SendAsync(new AgentMessage { Ack = new Ack { Version = full.Version } });

        var console = server.Commands.RunAsync("h1", new Command { Id = "con-1", Console = new ConsoleCommand { InstanceId = "i1", Window = 2 } }, null, CancellationToken.None)
            .GetAsyncEnumerator();
        var first = console.MoveNextAsync();
        Assert.Equal("con-1", (await NextCommandSideAsync(agent)).Command.Id);
        Task SendOutputAsync(string text) =>
            agent.SendAsync(new AgentMessage { CommandResult = new CommandResult { CommandId = "con-1", Console = new ConsoleResponse { Data = ByteString.CopyFromUtf8(text) } } });
        await SendOutputAsync("GUEST-BOOTED\r\n");
        Assert.True(await first);
        Assert.Equal(1u, (await NextCommandSideAsync(agent)).Control.Credit);

        // The caller stops reading; the agent uses its whole window.
        await SendOutputAsync("a");
        await SendOutputAsync("b");
        // Beside the stalled console the session still carries heartbeats and desired state, and no credit comes.
        await agent.SendAsync(new AgentMessage { Heartbeat = new Heartbeat { AppliedVersion = full.Version } });
        await Seed.VmAsync(server.Store, "i2", "p2", "h1", 2);
        for (var i = 0; !agent.Held.Items.ContainsKey(new(DesiredKind.Vm, "i2")); i++)
        {
            Assert.True(i < 20, "no desired state with i2 within 20 messages");
            var m = await agent.NextAsync();
            Assert.Equal(ControllerMessage.MsgOneofCase.Desired, m.MsgCase);
            agent.Apply(m.Desired);
        }

        // Taking one result gives exactly one credit back.
        Assert.True(await console.MoveNextAsync());
        Assert.Equal("a", console.Current.Console.Data.ToStringUtf8());
        var credit = (await NextCommandSideAsync(agent)).Control;
        Assert.Equal(("con-1", 1u), (credit.CommandId, credit.Credit));
        Assert.True(await console.MoveNextAsync());
        Assert.Equal(1u, (await NextCommandSideAsync(agent)).Control.Credit);

        // The console closes on its own (the VM stopped): the last result, then the end.
        await agent.SendAsync(new AgentMessage { CommandResult = new CommandResult { CommandId = "con-1", Done = true, Console = new ConsoleResponse { Closed = "the VM stopped" } } });
        Assert.True(await console.MoveNextAsync());
        Assert.Equal("the VM stopped", console.Current.Console.Closed);
        Assert.False(await console.MoveNextAsync());
    }

    [Fact]
    public async Task Session_IsPublishedInTheDirectory_AndWithdrawnWhenTheAgentLeaves_FailingItsCommandsUnavailable()
    {
        await using var server = await SouthboundServer.StartAsync();
        var agent = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        var welcome = await agent.WelcomeAsync();
        var record = await server.Store.GetAsync(SessionOwner.Key("h1"));
        Assert.NotNull(record);
        var owner = SessionOwner.Decode(record.Value)!;
        Assert.Equal(("ctl-test", server.Address, welcome.SessionId), (owner.ReplicaId, owner.Url, owner.SessionId));
        Assert.NotEqual(0, record.Lease);

        var snapshot = server.Commands.RunAsync("h1", new Command { Id = "snp-1", Snapshot = new SnapshotCommand() }, null, CancellationToken.None).GetAsyncEnumerator();
        var waiting = snapshot.MoveNextAsync().AsTask();
        Assert.Equal("snp-1", (await NextCommandSideAsync(agent)).Command.Id);
        await agent.DisposeAsync();

        var e = await Assert.ThrowsAsync<HostDisconnectedException>(() => waiting);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        for (var i = 0; i < 200 && await server.Store.GetAsync(SessionOwner.Key("h1")) is not null; i++) await Task.Delay(25);
        Assert.Null(await server.Store.GetAsync(SessionOwner.Key("h1")));
        var gone = Assert.Throws<RpcException>(() => server.Commands.RunLocalAsync("h1", new Command { Id = "x", Snapshot = new SnapshotCommand() }, CancellationToken.None));
        Assert.Contains("not connected", gone.Status.Detail);
    }

    [Fact]
    public async Task NewerSessionOfTheSameHost_FailsTheOldSessionsCommands_AndKeepsItsOwnDirectoryEntry()
    {
        await using var server = await SouthboundServer.StartAsync();
        await using var old = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        await old.WelcomeAsync();
        var results = server.Commands.RunAsync("h1", new Command { Id = "snp-1", Snapshot = new SnapshotCommand() }, null, CancellationToken.None).GetAsyncEnumerator();
        var waiting = results.MoveNextAsync().AsTask();
        await NextCommandSideAsync(old);

        await using var fresh = await TestAgent.ConnectAsync(server, "h1", "127.0.0.11");
        var welcome = await fresh.WelcomeAsync();

        var e = await Assert.ThrowsAsync<HostDisconnectedException>(() => waiting);
        Assert.Contains("host h1 disconnected", e.Status.Detail);
        for (var i = 0; i < 100; i++)
        {
            var owner = SessionOwner.Decode((await server.Store.GetAsync(SessionOwner.Key("h1")))!.Value)!;
            if (owner.SessionId == welcome.SessionId) return;
            await Task.Delay(25);
        }
        Assert.Fail("the directory does not name the newer session");
    }
}
