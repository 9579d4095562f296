using System.Threading.Channels;
using Google.Protobuf;
using Infra.V1;

namespace Infra.Controller.Api.Tests.Support;

/// <summary>
/// The scripted agent's console, as the contract says: a status first, one writer (a second WRITE
/// session is read-only, TAKEOVER takes input over), input "echoed" by a pretend tty to every
/// session, one result per credit, "cancelled" on cancel, and a log tail.
/// </summary>
public sealed partial class ScriptedAgent
{
    readonly object _consoleGate = new();
    readonly Dictionary<string, Channel<ConsoleResponse>> _consoles = new();
    string? _writer;

    /// <summary>What the console log holds.</summary>
    public byte[] ConsoleLogBytes { get; set; } = "[    0.000000] Linux version 6.1\r\nGUEST-BOOTED\r\n"u8.ToArray();
    /// <summary>Refuse consoles with this error (a VM that does not run).</summary>
    public string? ConsoleRefusal { get; set; }

    async Task ConsoleAsync(Command c)
    {
        if (ConsoleRefusal is { } why) { await SendAsync(Result(new CommandResult { CommandId = c.Id, Error = why, Done = true })); return; }
        var credit = _exports[c.Id] = new Export(c.Console.Window == 0 ? 4 : (int)c.Console.Window);
        var output = Channel.CreateUnbounded<ConsoleResponse>();
        lock (_consoleGate)
        {
            var first = new ConsoleResponse();
            if (c.Console.TailBytes > 0) first.Data = ByteString.CopyFrom(ConsoleLogBytes[^Math.Min(ConsoleLogBytes.Length, (int)c.Console.TailBytes)..]);
            if (c.Console.Access == ConsoleAccess.ReadOnly) first.Status = new ConsoleStatus { Writer = false, Reason = "read-only: opened as a reader" };
            else if (_writer is { } w && c.Console.Access != ConsoleAccess.Takeover) first.Status = new ConsoleStatus { Writer = false, Reason = $"read-only: session {w} writes to this console; open with takeover to take input over" };
            else
            {
                if (_writer is { } old && _consoles.TryGetValue(old, out var o))
                    o.Writer.TryWrite(new ConsoleResponse { Status = new ConsoleStatus { Writer = false, Reason = $"read-only: session {c.Id} took input over" } });
                _writer = c.Id;
                first.Status = new ConsoleStatus { Writer = true, Reason = "writer: input goes to the guest" };
            }
            output.Writer.TryWrite(first);
            _consoles[c.Id] = output;
        }
        try
        {
            while (true)
            {
                var next = output.Reader.ReadAsync(_cts.Token).AsTask();
                if (await Task.WhenAny(next, credit.Cancelled.Task) == credit.Cancelled.Task) break;
                await credit.TakeCreditAsync(_cts.Token);
                if (credit.Cancelled.Task.IsCompleted) break;
                Interlocked.Increment(ref credit.Sent);
                await SendAsync(Result(new CommandResult { CommandId = c.Id, Console = await next }));
            }
            await SendAsync(Result(new CommandResult { CommandId = c.Id, Error = "cancelled", Done = true }));
        }
        finally
        {
            lock (_consoleGate)
            {
                _consoles.Remove(c.Id);
                if (_writer == c.Id) _writer = null;
            }
        }
    }

    CommandResult ConsoleInput(Command c)
    {
        lock (_consoleGate)
        {
            if (!_consoles.ContainsKey(c.ConsoleInput.SessionId)) return new CommandResult { CommandId = c.Id, Done = true, Error = $"console session {c.ConsoleInput.SessionId} of VM {c.ConsoleInput.InstanceId} is not open" };
            if (_writer != c.ConsoleInput.SessionId)
                return new CommandResult { CommandId = c.Id, Done = true, Error = $"console session {c.ConsoleInput.SessionId} is read-only: session {_writer} writes to VM {c.ConsoleInput.InstanceId}'s console; open with takeover to take input over" };
            var echo = ByteString.CopyFromUtf8(c.ConsoleInput.Data.ToStringUtf8().Replace("\n", "\r\n"));
            foreach (var s in _consoles.Values) s.Writer.TryWrite(new ConsoleResponse { Data = echo });
            return new CommandResult { CommandId = c.Id, Done = true };
        }
    }

    /// <summary>Ends every open console as a stopped VM would: a last result with closed set.</summary>
    public async Task CloseConsolesAsync(string why)
    {
        List<string> ids;
        lock (_consoleGate) ids = [.. _consoles.Keys];
        foreach (var id in ids) await SendAsync(Result(new CommandResult { CommandId = id, Done = true, Console = new ConsoleResponse { Closed = why } }));
    }

    GetConsoleLogResponse ConsoleLogTail(ConsoleLogCommand c)
    {
        var n = Math.Min(ConsoleLogBytes.Length, (int)c.TailBytes);
        return new GetConsoleLogResponse { Data = ByteString.CopyFrom(ConsoleLogBytes[^n..]), Truncated = n < ConsoleLogBytes.Length };
    }
}
