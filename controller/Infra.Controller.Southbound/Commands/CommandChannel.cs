using System.Collections.Concurrent;
using System.Threading.Channels;
using Infra.V1;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// A session's command side. Callers <see cref="Start"/> a command: it is queued for the session's
/// write loop (the only writer of the response stream, which drains <see cref="Outgoing"/> beside its
/// desired-state pushes) and kept by id until its final result. The read loop hands every
/// CommandResult to <see cref="Deliver"/>, which never waits. When the session ends, <see cref="Close"/>
/// fails every pending command with <see cref="HostDisconnectedException"/>.
/// </summary>
public sealed class CommandChannel(string hostId)
{
    readonly ConcurrentDictionary<string, PendingCommand> _pending = new(StringComparer.Ordinal);
    readonly Channel<ControllerMessage> _outgoing = Channel.CreateUnbounded<ControllerMessage>(new UnboundedChannelOptions { SingleReader = true });
    volatile bool _closed;

    public string HostId { get; } = hostId;

    /// <summary>Commands and controls for the write loop, in order.</summary>
    public ChannelReader<ControllerMessage> Outgoing => _outgoing.Reader;

    public int PendingCount => _pending.Count;

    /// <summary>Registers and sends a command; read its results with <see cref="PendingCommand.ReadAllAsync"/>.</summary>
    public PendingCommand Start(Command command)
    {
        if (_closed) throw new HostDisconnectedException(HostId);
        var p = new PendingCommand(this, command);
        if (!_pending.TryAdd(command.Id, p)) throw CommandErrors.Duplicate(HostId, command.Id);
        if (_closed || !_outgoing.Writer.TryWrite(new ControllerMessage { Command = command }))
        {
            _pending.TryRemove(new(command.Id, p));
            throw new HostDisconnectedException(HostId);
        }
        return p;
    }

    /// <summary>Routes a result to its command; false when no command of that id is pending here.</summary>
    public bool Deliver(CommandResult r)
    {
        if (!_pending.TryGetValue(r.CommandId, out var p)) return false;
        if (!p.Accept(r))
        {
            // The agent oversent: the caller already got the error; stop the agent's side too.
            _pending.TryRemove(new(r.CommandId, p));
            Send(new ControllerMessage { Control = new CommandControl { CommandId = r.CommandId, Cancel = true } });
        }
        return true;
    }

    /// <summary>The session ended: every pending command fails UNAVAILABLE, nothing more is sent.</summary>
    public void Close()
    {
        _closed = true;
        _outgoing.Writer.TryComplete();
        foreach (var (id, p) in _pending)
        {
            p.Fail(new HostDisconnectedException(HostId));
            _pending.TryRemove(new(id, p));
        }
    }

    internal void Send(ControllerMessage m) => _outgoing.Writer.TryWrite(m);

    internal void Forget(PendingCommand p, bool cancelOnAgent)
    {
        if (_pending.TryRemove(new(p.Id, p)) && cancelOnAgent)
            Send(new ControllerMessage { Control = new CommandControl { CommandId = p.Id, Cancel = true } });
    }
}
