using System.Collections.Concurrent;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Commands;

/// <summary>
/// Runs a session's commands off its read loop. Model: each Command starts a task (never awaited
/// by the reader), keyed by its id; a Command whose id is already running is ignored (the running
/// one will answer); CommandControl adds credit to or cancels the command it names; whatever a
/// command sends goes to the session's outbox through <c>send</c>. Every command ends with exactly
/// one result with done = true: its own, or an error ("cancelled" when cancelled). When the session
/// ends, <see cref="DisposeAsync"/> cancels and awaits what still runs; their final results go
/// nowhere, which is fine: the controller fails the caller's request when the session ends.
/// </summary>
public sealed partial class CommandDispatcher(ICommandExecutor executor, Action<CommandResult> send, ILogger log) : IAsyncDisposable
{
    /// <summary>The error of a command ended by CommandControl.cancel (or by the session ending).</summary>
    public const string CancelledError = "cancelled";
    private readonly ILogger _log = log;
    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _session = new();

    /// <summary>Ids of commands running now.</summary>
    public IReadOnlyCollection<string> RunningIds => _running.Keys.ToList();

    /// <summary>Starts <paramref name="command"/> unless a command with its id runs already.</summary>
    public void Dispatch(Command command)
    {
        if (command.Id.Length == 0)
        {
            send(new CommandResult { Done = true, Error = "command has no id" });
            return;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_session.Token);
        var running = new Running(cts, new CreditWindow(command.OpCase switch
        {
            Command.OpOneofCase.Export => command.Export.Window,
            Command.OpOneofCase.Console => command.Console.Window,
            _ => 0,
        }));
        if (!_running.TryAdd(command.Id, running))
        {
            cts.Dispose();
            LogDuplicate(command.Id);
            return;
        }
        LogStarted(command.Id, command.OpCase.ToString());
        running.Task = Task.Run(() => RunAsync(command, running));
    }

    /// <summary>Applies a CommandControl; unknown ids are ignored (the command may have just ended).</summary>
    public void Control(CommandControl control)
    {
        if (!_running.TryGetValue(control.CommandId, out var r)) return;
        if (control.Credit > 0) r.Credit.Grant(control.Credit);
        if (!control.Cancel) return;
        LogCancelRequested(control.CommandId);
        try { r.Cancel.Cancel(); } catch (ObjectDisposedException) { /* it ended meanwhile */ }
    }

    private async Task RunAsync(Command command, Running r)
    {
        CommandResult result;
        try
        {
            var context = new CommandContext(command.Id, r.Credit, send);
            result = await executor.RunAsync(command, context, r.Cancel.Token).ConfigureAwait(false);
            result.CommandId = command.Id;
            LogFinished(command.Id, "ok");
        }
        catch (OperationCanceledException) when (r.Cancel.IsCancellationRequested)
        {
            result = new CommandResult { CommandId = command.Id, Error = CancelledError };
            LogFinished(command.Id, CancelledError);
        }
        catch (Exception e)
        {
            result = new CommandResult { CommandId = command.Id, Error = e.Message };
            LogFinished(command.Id, e.Message);
        }
        result.Done = true;
        // Removed before the final result is sent, so a retry that arrives after it runs afresh.
        _running.TryRemove(command.Id, out _);
        send(result);
        r.Cancel.Dispose();
    }

    /// <summary>The session ended: cancel every running command and wait for them to let go of what they hold.</summary>
    public async ValueTask DisposeAsync()
    {
        await _session.CancelAsync().ConfigureAwait(false);
        foreach (var r in _running.Values.ToList())
            if (r.Task is { } t) try { await t.ConfigureAwait(false); } catch (Exception) { /* RunAsync reports everything itself */ }
        _session.Dispose();
    }

    private sealed class Running(CancellationTokenSource cancel, CreditWindow credit)
    {
        public CancellationTokenSource Cancel { get; } = cancel;
        public CreditWindow Credit { get; } = credit;
        public Task? Task { get; set; }
    }
}
