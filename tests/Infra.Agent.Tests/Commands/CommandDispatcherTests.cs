using System.Collections.Concurrent;
using Infra.Agent.Core.Commands;
using Infra.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Tests.Commands;

/// <summary>The dispatcher's own rules (concurrency, ids, cancel, credit), with an executor scripted per test.</summary>
public sealed class CommandDispatcherTests
{
    private readonly ConcurrentQueue<CommandResult> _sent = new();

    private sealed class Scripted(Func<Command, CommandContext, CancellationToken, Task<CommandResult>> run) : ICommandExecutor
    {
        public Task<CommandResult> RunAsync(Command command, CommandContext context, CancellationToken ct) => run(command, context, ct);
    }

    private CommandDispatcher Dispatcher(Func<Command, CommandContext, CancellationToken, Task<CommandResult>> run) =>
        new(new Scripted(run), r => _sent.Enqueue(r), NullLogger.Instance);

    private async Task<CommandResult> FinalAsync(string id)
    {
        for (var i = 0; i < 500; i++)
        {
            if (_sent.FirstOrDefault(r => r.CommandId == id && r.Done) is { } r) return r;
            await Task.Delay(10);
        }
        throw new TimeoutException($"no final result for {id}");
    }

    private static Command Export(string id, uint window = 0) => new() { Id = id, Export = new ExportCommand { SourceId = "v", Window = window } };

    [Fact]
    public async Task Dispatch_DoesNotBlockTheCaller_AndTheFinalResultIsDoneWithTheId()
    {
        var release = new TaskCompletionSource();
        await using var d = Dispatcher(async (_, _, _) => { await release.Task; return new CommandResult(); });
        d.Dispatch(Export("a"));
        Assert.Contains("a", d.RunningIds);
        release.SetResult();
        var r = await FinalAsync("a");
        Assert.True(r.Done);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public async Task Cancel_EndsTheCommandWithErrorCancelled()
    {
        await using var d = Dispatcher(async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return new CommandResult(); });
        d.Dispatch(Export("c"));
        d.Control(new CommandControl { CommandId = "c", Cancel = true });
        Assert.Equal(CommandDispatcher.CancelledError, (await FinalAsync("c")).Error);
        Assert.Empty(d.RunningIds);
    }

    [Fact]
    public async Task SameIdWhileRunning_IsIgnored_ButRunsAgainAfterItEnded()
    {
        var runs = 0;
        var release = new TaskCompletionSource();
        await using var d = Dispatcher(async (_, _, _) => { Interlocked.Increment(ref runs); await release.Task; return new CommandResult(); });
        d.Dispatch(Export("x"));
        d.Dispatch(Export("x"));
        release.SetResult();
        await FinalAsync("x");
        Assert.Equal(1, runs);
        Assert.Single(_sent, r => r.CommandId == "x" && r.Done);
        for (var i = 0; i < 100 && d.RunningIds.Count > 0; i++) await Task.Delay(10);
        d.Dispatch(Export("x"));
        for (var i = 0; i < 500 && _sent.Count(r => r.CommandId == "x" && r.Done) < 2; i++) await Task.Delay(10);
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Chunks_BeyondTheWindow_WaitForCredit()
    {
        await using var d = Dispatcher(async (_, ctx, ct) =>
        {
            for (var i = 0; i < 3; i++) await ctx.SendChunkAsync(new ExportChunk { Offset = (ulong)i }, ct);
            return new CommandResult();
        });
        d.Dispatch(Export("w", window: 1));
        for (var i = 0; i < 100 && _sent.IsEmpty; i++) await Task.Delay(10);
        await Task.Delay(100);
        Assert.Single(_sent);
        d.Control(new CommandControl { CommandId = "w", Credit = 2 });
        await FinalAsync("w");
        Assert.Equal(3, _sent.Count(r => r.Chunk is not null));
    }

    [Fact]
    public async Task Failure_BecomesTheFinalResultsError()
    {
        await using var d = Dispatcher((_, _, _) => throw new InvalidOperationException("volume v is not served on this host"));
        d.Dispatch(Export("f"));
        Assert.Equal("volume v is not served on this host", (await FinalAsync("f")).Error);
    }

    [Fact]
    public async Task SessionEnd_CancelsRunningCommands_AndWaitsForThem()
    {
        var released = false;
        var d = Dispatcher(async (_, _, ct) =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { released = true; }
            return new CommandResult();
        });
        d.Dispatch(Export("s"));
        await Task.Delay(20);
        await d.DisposeAsync();
        Assert.True(released);
        Assert.Equal(CommandDispatcher.CancelledError, (await FinalAsync("s")).Error);
    }
}
