using System.Diagnostics;
using System.Text;
using Infra.Agent.Compute.Console;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>
/// The serial console of a real TCG guest with a shell on ttyS0, through the VM manager's console
/// hub: typed input reaches the shell and its output comes back, every reader sees it, a second
/// writer is read-only until it takes over, a reader that does not read loses only its own backlog
/// (the guest is not slowed), and an agent restart ends the sessions and reconnects to the same qemu.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private VmTestHost _t = null!;

    public async Task InitializeAsync() => _t = await VmTestHost.StartAsync();
    public async Task DisposeAsync() => await _t.DisposeAsync();

    private VmConsole Console => _t.Host.Vms.Consoles.Find("con") ?? throw new Xunit.Sdk.XunitException("no console for the VM");

    /// <summary>Reads a session until <paramref name="marker"/> appears; returns everything read (and the roles seen).</summary>
    private static async Task<(string Text, List<ConsoleRole> Roles, long Skipped)> ReadUntilAsync(ConsoleSession s, string marker, TimeSpan timeout)
    {
        var text = new StringBuilder();
        var roles = new List<ConsoleRole>();
        long skipped = 0;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (!text.ToString().Contains(marker, StringComparison.Ordinal))
            {
                var r = await s.ReadAsync(16 << 10, cts.Token);
                text.Append(Encoding.UTF8.GetString(r.Data));
                skipped += r.Skipped;
                if (r.Role is { } role) roles.Add(role);
                if (r.Closed is { } why) throw new Xunit.Sdk.XunitException($"console closed ({why}) before '{marker}': {VmTestHost.Tail(text.ToString())}");
            }
        }
        catch (OperationCanceledException) { throw new TimeoutException($"no '{marker}' within {timeout}: {VmTestHost.Tail(text.ToString())}"); }
        return (text.ToString(), roles, skipped);
    }

    private static Task TypeAsync(ConsoleSession s, string line) => s.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), Ct);

    [Fact]
    public async Task Shell_TypedInputAnswers_AllReadersSeeIt_SecondWriterIsReadOnlyUntilTakeover()
    {
        await _t.Host.StartAsync(_t.Guest("con", 0, "infra.shell=1"), []);
        await _t.WaitForSerialAsync("con", "GUEST-SHELL", TimeSpan.FromSeconds(90));

        using var writer = Console.Open("s1", ConsoleMode.Write, tailBytes: 4096);
        var first = await ReadUntilAsync(writer, "GUEST-SHELL", TimeSpan.FromSeconds(10));   // replayed from the log
        Assert.True(first.Roles.Single().Writer, first.Roles.Single().Reason);
        using var reader = Console.Open("r1", ConsoleMode.ReadOnly, 0);
        using var second = Console.Open("s2", ConsoleMode.Write, 0);

        // $((...)) is expanded by the guest's shell: the answer proves the shell ran the line, not an echo.
        await TypeAsync(writer, "echo hello-$((4700+11))");
        var seen = new Dictionary<string, (string Text, List<ConsoleRole> Roles, long Skipped)>();
        foreach (var s in new[] { writer, reader, second }) seen[s.Id] = await ReadUntilAsync(s, "hello-4711\r\n", TimeSpan.FromSeconds(30));
        Assert.False(seen["r1"].Roles.Single().Writer);

        // The second writer was told it is read-only and who writes; its input is refused.
        var told = seen["s2"].Roles.Single();
        Assert.False(told.Writer);
        Assert.Contains("session s1", told.Reason);
        var refused = await Assert.ThrowsAsync<ConsoleReadOnlyException>(() => TypeAsync(second, "echo nope"));
        Assert.Contains("read-only", refused.Message);
        Assert.Contains("s1", refused.Message);

        // Takeover: s3 writes, s1 learns it lost input and can no longer type.
        using var taker = Console.Open("s3", ConsoleMode.Takeover, 0);
        await TypeAsync(taker, "echo taken-$((40+2))");
        var lost = await ReadUntilAsync(writer, "taken-42\r\n", TimeSpan.FromSeconds(30));
        Assert.Contains(lost.Roles, r => !r.Writer && r.Reason.Contains("s3", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ConsoleReadOnlyException>(() => TypeAsync(writer, "echo late"));
        Assert.Equal(4, Console.SessionCount);
    }

    [Fact]
    public async Task ReaderThatNeverReads_LosesOnlyItsOwnBacklog_AndAgentRestart_ReconnectsToTheSameQemu()
    {
        var started = await _t.Host.StartAsync(_t.Guest("con", 0, "infra.shell=1"), []);
        await _t.WaitForSerialAsync("con", "GUEST-SHELL", TimeSpan.FromSeconds(90));
        using var writer = Console.Open("w", ConsoleMode.Write, 0);

        // Baseline flood with only an attentive reader, then the same with a reader that never reads.
        async Task<TimeSpan> FloodAsync(int n)
        {
            var sw = Stopwatch.StartNew();
            await TypeAsync(writer, $"yes infra-flood | head -c 200000; echo FLOOD-$(({n}+1))-DONE");
            await ReadUntilAsync(writer, $"FLOOD-{n + 1}-DONE\r\n", TimeSpan.FromSeconds(120));
            return sw.Elapsed;
        }
        // Benchmark, not an assert: the machine's load moves these more than a reader could.
        var alone = await FloodAsync(1);
        var idle = Console.Open("idle", ConsoleMode.ReadOnly, 0);
        var beside = await FloodAsync(2);
        var aloneAgain = await FloodAsync(3);
        System.Console.WriteLine($"console flood of 200 kB through TCG: {alone.TotalMilliseconds:F0} ms and {aloneAgain.TotalMilliseconds:F0} ms with one reader, " +
            $"{beside.TotalMilliseconds:F0} ms beside a reader that never reads");
        var late = await idle.ReadAsync(1 << 20, Ct);
        Assert.True(late.Skipped > 0, "the idle reader should have lost its oldest output");
        Assert.True(late.Data.Length <= _t.Host.Vms.Consoles.Options.SessionBufferBytes);
        idle.Dispose();

        // An agent restart ends the sessions; the new agent finds the same qemu and its console works.
        await _t.RestartAsync();
        var ended = await writer.ReadAsync(1 << 20, Ct);
        while (ended.Closed is null) ended = await writer.ReadAsync(1 << 20, Ct);
        Assert.Contains("agent is stopping", ended.Closed);
        var seen = Assert.Single(await _t.Host.Vms.ObserveAsync(Ct));
        Assert.Equal(started.Pid, seen.Pid);
        await VmTestHost.WaitUntilAsync(() => Console.IsConnected, TimeSpan.FromSeconds(10), "the console reconnected");
        using var again = Console.Open("again", ConsoleMode.Write, 0);
        await TypeAsync(again, "echo back-$((1+2))");
        await ReadUntilAsync(again, "back-3\r\n", TimeSpan.FromSeconds(30));
        Assert.Contains("console reattached", _t.SerialLog("con"));
    }
}
