using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Infra.V1;

namespace Infra.Agent.Tests.Commands;

/// <summary>
/// Console commands on the real agent daemon and the shared running guest: output is paced by credit
/// (the session never carries more than the window), input goes only from the writer session, and
/// the log tail is served from the agent's capped serial log. The guest has no shell here; its tty
/// echoes what is typed, which is output enough.
/// </summary>
[Collection(CommandGuestCollection.Name)]
public sealed class AgentConsoleCommandTests(CommandGuestFixture f)
{
    private static Command Console(string id, ConsoleAccess access, uint tail, uint window) =>
        new() { Id = id, Console = new ConsoleCommand { InstanceId = "vm1", Access = access, TailBytes = tail, Window = window } };

    private static Command Input(string id, string session, string text) =>
        new() { Id = id, ConsoleInput = new ConsoleInputCommand { InstanceId = "vm1", SessionId = session, Data = ByteString.CopyFromUtf8(text) } };

    private async Task<List<CommandResult>> WaitResultsAsync(string id, int count)
    {
        var sw = Stopwatch.StartNew();
        while (f.Results(id).Count < count)
        {
            if (sw.Elapsed > CommandGuestFixture.Long) throw new TimeoutException($"{id}: {f.Results(id).Count} of {count} results; agent log: {f.Agent.Log()}");
            await Task.Delay(10);
        }
        return f.Results(id);
    }

    private static string Text(IEnumerable<CommandResult> rs) => string.Concat(rs.Where(r => r.Console is not null).Select(r => r.Console.Data.ToStringUtf8()));

    [Fact]
    public async Task Console_WithWindowOne_SendsNothingMoreUntilCredit_AndOnlyTheWriterMayType()
    {
        await f.SendAsync(Console("con-w", ConsoleAccess.Write, tail: 4096, window: 1));
        var first = (await WaitResultsAsync("con-w", 1)).Single();
        Assert.True(first.Console.Status.Writer, first.Console.Status.Reason);
        Assert.Contains("GUEST-BOOTED", first.Console.Data.ToStringUtf8());    // replayed from the log

        var input = Input("in-1", "con-w", "typed-by-test\n");
        await f.SendAsync(input);
        var typed = (await f.WaitDoneAsync("in-1")).Single();
        Assert.True(typed.Error.Length == 0, typed.Error);
        // The tty echoed it, but no credit was granted: the agent holds it back.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(f.Results("con-w"));
        await f.ControlAsync("con-w", credit: 1);
        var echoed = await WaitResultsAsync("con-w", 2);
        Assert.Contains("typed-by-test", Text(echoed));
        Assert.Equal(0UL, echoed[1].Console.SkippedBytes);

        // A second writer is read-only, told who writes, and its input is refused.
        await f.SendAsync(Console("con-2", ConsoleAccess.Write, 0, 4));
        var second = (await WaitResultsAsync("con-2", 1)).Single();
        Assert.False(second.Console.Status.Writer);
        Assert.Contains("con-w", second.Console.Status.Reason);
        await f.SendAsync(Input("in-2", "con-2", "nope\n"));
        var refused = (await f.WaitDoneAsync("in-2")).Single();
        Assert.Contains("read-only", refused.Error);

        // The log tail comes from the agent's serial log.
        await f.SendAsync(new Command { Id = "log-1", ConsoleLog = new ConsoleLogCommand { InstanceId = "vm1", TailBytes = 1 << 20 } });
        var log = (await f.WaitDoneAsync("log-1")).Single();
        Assert.True(log.Error.Length == 0, log.Error);
        Assert.Contains("GUEST-BOOTED", log.ConsoleLog.Data.ToStringUtf8());
        Assert.Contains("typed-by-test", log.ConsoleLog.Data.ToStringUtf8());

        // Cancelled sessions end with "cancelled" and give their input up.
        foreach (var id in new[] { "con-w", "con-2" }) await f.ControlAsync(id, cancel: true);
        Assert.Equal("cancelled", (await f.WaitDoneAsync("con-w", grantCredit: false)).Single(r => r.Done).Error);
        await f.SendAsync(Input("in-3", "con-w", "late\n"));
        Assert.Contains("not open", (await f.WaitDoneAsync("in-3")).Single().Error);
    }

    [Fact]
    public async Task ConsoleOfAnUnknownInstance_FailsSayingSo()
    {
        await f.SendAsync(new Command { Id = "con-x", Console = new ConsoleCommand { InstanceId = "nope" } });
        Assert.Contains("no VM on this host", (await f.WaitDoneAsync("con-x")).Single().Error);
        await f.SendAsync(new Command { Id = "log-x", ConsoleLog = new ConsoleLogCommand { InstanceId = "nope" } });
        Assert.Contains("no VM on this host", (await f.WaitDoneAsync("log-x")).Single().Error);
    }
}
