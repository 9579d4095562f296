using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Infra.V1;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// One command in flight on a session: the results the read loop delivered and the caller has not
/// taken yet. The buffer is bounded by the export window (credit is only returned as the caller reads),
/// so <see cref="Accept"/> never blocks: a result that does not fit fails the command instead.
/// </summary>
public sealed class PendingCommand
{
    // Non-data results (progress, the final one, an error) need no credit; a few of them may queue
    // beside a full window of chunks.
    const int SlackResults = 4;

    readonly Channel<CommandResult> _results;
    readonly CommandChannel _session;
    readonly object _gate = new();
    readonly CreditLedger? _credit;
    int _state; // 0 running, 1 done (final result delivered), 2 failed

    internal PendingCommand(CommandChannel session, Command command)
    {
        _session = session;
        Command = command;
        _credit = command.OpCase switch
        {
            Command.OpOneofCase.Export => new CreditLedger(command.Export.Window),
            Command.OpOneofCase.Console => new CreditLedger(command.Console.Window),
            _ => null,
        };
        _results = Channel.CreateBounded<CommandResult>(new BoundedChannelOptions((int)(_credit?.Window ?? 0) + SlackResults)
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Command Command { get; }
    public string Id => Command.Id;

    /// <summary>Called by the session's read loop: queue the result, or fail the command when the agent oversends.</summary>
    internal bool Accept(CommandResult r)
    {
        lock (_gate)
        {
            if (_state != 0) return true; // late results of a failed or finished command are dropped
            var fits = (_credit is null || !CreditLedger.IsData(r) || _credit.TryReceive()) && _results.Writer.TryWrite(r);
            if (!fits)
            {
                _state = 2;
                _results.Writer.TryComplete(CommandErrors.Oversent(_session.HostId, Id, _credit?.Window ?? 0));
                return false;
            }
            if (r.Done)
            {
                _state = 1;
                _results.Writer.TryComplete();
            }
            return true;
        }
    }

    /// <summary>Ends the caller's stream with an error (session gone); no-op once finished.</summary>
    internal void Fail(Exception e)
    {
        lock (_gate)
        {
            if (_state != 0) return;
            _state = 2;
            _results.Writer.TryComplete(e);
        }
    }

    /// <summary>
    /// The results in order, ending with the one marked done. Taking a data chunk gives the agent one
    /// credit back. If the caller stops early (cancelled, or breaks out of the loop) the agent is told
    /// to cancel the command.
    /// </summary>
    public async IAsyncEnumerable<CommandResult> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var finished = false;
        try
        {
            while (await _results.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (_results.Reader.TryRead(out var r))
                {
                    if (CreditLedger.IsData(r)) GiveCredit();
                    if (r.Done) finished = true;
                    yield return r;
                    if (finished) yield break;
                }
            }
            finished = true; // completed: done delivered, or the awaited read threw the failure
        }
        finally
        {
            _session.Forget(this, cancelOnAgent: !finished);
        }
    }

    void GiveCredit()
    {
        uint grant;
        lock (_gate)
        {
            if (_state != 0 || _credit is null) return;
            grant = _credit.Consumed();
        }
        if (grant > 0) _session.Send(new ControllerMessage { Control = new CommandControl { CommandId = Id, Credit = grant } });
    }
}
