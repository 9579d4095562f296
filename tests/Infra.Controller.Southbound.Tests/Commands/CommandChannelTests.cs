using Google.Protobuf;
using Infra.Controller.Southbound.Commands;
using Infra.Grpc;
using Infra.V1;

namespace Infra.Controller.Southbound.Tests.Commands;

/// <summary>Correlation, buffering and failure of commands on one session, without a network.</summary>
public sealed class CommandChannelTests
{
    static Command Export(string id, uint window = 1) => new() { Id = id, Export = new ExportCommand { SourceId = "vol-1", Window = window } };
    static Command Snap(string id) => new() { Id = id, Snapshot = new SnapshotCommand() };
    static CommandResult Chunk(string id, int n, bool done = false) =>
        new() { CommandId = id, Done = done, Chunk = new ExportChunk { Offset = (ulong)n, Data = ByteString.CopyFrom((byte)n) } };

    static Command Console(string id, uint window) => new() { Id = id, Console = new ConsoleCommand { InstanceId = "ins-1", Window = window } };
    static CommandResult Output(string id, string text = "", bool roleOnly = false) => new()
    {
        CommandId = id,
        Console = roleOnly ? new ConsoleResponse { Status = new ConsoleStatus { Writer = true, Reason = "writer" } } : new ConsoleResponse { Data = ByteString.CopyFromUtf8(text) },
    };

    static List<ControllerMessage> Drain(CommandChannel c)
    {
        var all = new List<ControllerMessage>();
        while (c.Outgoing.TryRead(out var m)) all.Add(m);
        return all;
    }

    [Fact]
    public async Task Results_GoToTheirCommandById_InOrder_EndingAtDone()
    {
        var c = new CommandChannel("h1");
        var a = c.Start(Snap("a"));
        var b = c.Start(Snap("b"));
        Assert.Equal(["a", "b"], Drain(c).Select(m => m.Command.Id));

        Assert.True(c.Deliver(new CommandResult { CommandId = "b", Done = true, Error = "no such volume" }));
        Assert.True(c.Deliver(new CommandResult { CommandId = "a", Done = true }));
        Assert.False(c.Deliver(new CommandResult { CommandId = "zzz", Done = true }));

        var got = new List<CommandResult>();
        await foreach (var r in b.ReadAllAsync()) got.Add(r);
        Assert.Equal("no such volume", Assert.Single(got).Error);
        Assert.Single(await a.ReadAllAsync().ToListAsync());
        Assert.Equal(0, c.PendingCount);
        Assert.Empty(Drain(c)); // finished commands are not cancelled
    }

    [Fact]
    public async Task TakingAChunk_GivesOneCredit_AndNoneForTheFinalChunk()
    {
        var c = new CommandChannel("h1");
        var p = c.Start(Export("e"));
        Drain(c);
        var reader = p.ReadAllAsync().GetAsyncEnumerator();
        c.Deliver(Chunk("e", 0));
        Assert.Empty(Drain(c)); // buffered, not yet taken: no credit
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(1u, Assert.Single(Drain(c)).Control.Credit);
        c.Deliver(Chunk("e", 1, done: true));
        Assert.True(await reader.MoveNextAsync());
        Assert.False(await reader.MoveNextAsync());
        Assert.Empty(Drain(c));
    }

    [Fact]
    public async Task AgentSendingPastItsWindow_FailsThatCommandOnly_AndCancelsItOnTheAgent()
    {
        var c = new CommandChannel("h1");
        var e = c.Start(Export("e", window: 2));
        var other = c.Start(Snap("s"));
        Drain(c);
        Assert.True(c.Deliver(Chunk("e", 0)));
        Assert.True(c.Deliver(Chunk("e", 1)));
        Assert.True(c.Deliver(Chunk("e", 2))); // the third chunk without credit

        var cancel = Assert.Single(Drain(c)).Control;
        Assert.Equal(("e", true), (cancel.CommandId, cancel.Cancel));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in e.ReadAllAsync()) { } });
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("window of 2 chunks", ex.Status.Detail);
        c.Deliver(new CommandResult { CommandId = "s", Done = true });
        Assert.Single(await other.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task Close_FailsEveryPendingCommandUnavailable_AndRefusesNewOnes()
    {
        var c = new CommandChannel("h7");
        var p = c.Start(Export("e"));
        c.Close();
        var ex = await Assert.ThrowsAsync<HostDisconnectedException>(async () => { await foreach (var _ in p.ReadAllAsync()) { } });
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal("host h7 disconnected during the command; retry", ex.Status.Detail);
        Assert.Throws<HostDisconnectedException>(() => c.Start(Snap("late")));
    }

    [Fact]
    public async Task CallerCancelling_SendsCancelToTheAgent_AndForgetsTheCommand()
    {
        var c = new CommandChannel("h1");
        var p = c.Start(Export("e"));
        Drain(c);
        using var cts = new CancellationTokenSource();
        var reading = Task.Run(async () => { await foreach (var _ in p.ReadAllAsync(cts.Token)) { } });
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        var control = Assert.Single(Drain(c)).Control;
        Assert.Equal(("e", true), (control.CommandId, control.Cancel));
        Assert.Equal(0, c.PendingCount);
        Assert.False(c.Deliver(new CommandResult { CommandId = "e", Done = true }));
    }

    [Fact]
    public async Task Console_EveryResultTakenGivesOneCredit_AndAnAgentPastItsWindowFailsOnlyThatConsole()
    {
        var c = new CommandChannel("h1");
        var con = c.Start(Console("con", window: 2));
        var other = c.Start(Snap("s"));
        Drain(c);
        var reader = con.ReadAllAsync().GetAsyncEnumerator();
        c.Deliver(Output("con", roleOnly: true));
        c.Deliver(Output("con", "GUEST-BOOTED"));
        Assert.Empty(Drain(c));                                   // nothing taken yet: no credit back
        Assert.True(await reader.MoveNextAsync());
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal("GUEST-BOOTED", reader.Current.Console.Data.ToStringUtf8());
        Assert.Equal([1u, 1u], Drain(c).Select(m => m.Control.Credit));

        // A caller that stops reading: two more fit the window, the third breaks the contract.
        Assert.True(c.Deliver(Output("con", "a")));
        Assert.True(c.Deliver(Output("con", "b")));
        Assert.True(c.Deliver(Output("con", "c")));
        var cancel = Assert.Single(Drain(c)).Control;
        Assert.Equal(("con", true), (cancel.CommandId, cancel.Cancel));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => { while (await reader.MoveNextAsync()) { } });
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        c.Deliver(new CommandResult { CommandId = "s", Done = true });
        Assert.Single(await other.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public void SameIdTwiceWhileRunning_IsAborted()
    {
        var c = new CommandChannel("h1");
        c.Start(Snap("x"));
        Assert.Equal(StatusCode.Aborted, Assert.Throws<RpcException>(() => c.Start(Snap("x"))).StatusCode);
    }
}
