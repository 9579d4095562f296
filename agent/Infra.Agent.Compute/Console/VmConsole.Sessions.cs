using System.Net.Sockets;

namespace Infra.Agent.Compute.Console;

/// <summary>Sessions and input: who reads, who writes, what a second writer gets.</summary>
public sealed partial class VmConsole
{
    /// <summary>
    /// Opens a session: up to <paramref name="tailBytes"/> of recent output first (read from the log
    /// under the pump's lock, so nothing is lost or repeated between replay and live output), then
    /// live output. Its first read carries its role: a second <see cref="ConsoleMode.Write"/> session
    /// is read-only, and told who writes; <see cref="ConsoleMode.Takeover"/> takes input from the writer,
    /// which is told so.
    /// </summary>
    public ConsoleSession Open(string sessionId, ConsoleMode mode, int tailBytes)
    {
        lock (_gate)
        {
            if (_socket is null) throw new ConsoleUnavailableException($"VM {VmId} is not running, so its console is closed; its last output is in the console log");
            if (_sessions.Count >= _options.MaxSessions) throw new InvalidOperationException($"VM {VmId} has {_options.MaxSessions} console sessions open, the most it takes; close one and retry");
            if (_sessions.Any(s => s.Id == sessionId)) throw new InvalidOperationException($"console session {sessionId} of VM {VmId} is open already");
            var now = _time.GetUtcNow();
            var session = new ConsoleSession(this, sessionId, _options.SessionBufferBytes, now);
            if (tailBytes > 0) session.Push(SerialLog.ReadTail(_paths.SerialLog, Math.Min(tailBytes, _options.SessionBufferBytes)).Data);
            session.SetRole(Grant(session, mode, now));
            _sessions.Add(session);
            LogOpened(VmId, sessionId, session.IsWriter ? "writer" : "reader");
            return session;
        }
    }

    private ConsoleRole Grant(ConsoleSession s, ConsoleMode mode, DateTimeOffset now)
    {
        var old = _writer;
        switch (mode)
        {
            case ConsoleMode.ReadOnly:
                return new ConsoleRole(false, "read-only: opened as a reader");
            case ConsoleMode.Write when old is not null:
                return new ConsoleRole(false, $"read-only: session {old.Id} (opened {old.Opened:yyyy-MM-dd HH:mm:ss}Z) writes to this console; open with takeover to take input over");
            case ConsoleMode.Takeover when old is not null:
                old.IsWriter = false;
                old.SetRole(new ConsoleRole(false, $"read-only: session {s.Id} took input over at {now:yyyy-MM-dd HH:mm:ss}Z"));
                break;
        }
        _writer = s;
        s.IsWriter = true;
        return new ConsoleRole(true, old is null ? "writer: input goes to the guest" : $"writer: input goes to the guest (taken over from session {old.Id})");
    }

    /// <summary>Input on behalf of session <paramref name="sessionId"/> (the southbound input command names it).</summary>
    public Task WriteAsync(string sessionId, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        ConsoleSession? s;
        lock (_gate) s = _sessions.FirstOrDefault(x => x.Id == sessionId);
        if (s is null) throw new ConsoleUnavailableException($"console session {sessionId} of VM {VmId} is not open (it ended, or the agent restarted); open a new console");
        return WriteAsync(s, data, ct);
    }

    internal async Task WriteAsync(ConsoleSession s, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (data.Length > _options.MaxInputBytes) throw new ArgumentException($"console input of {data.Length} bytes is more than {_options.MaxInputBytes} at once; send it in pieces");
        Socket socket;
        lock (_gate)
        {
            socket = _socket ?? throw new ConsoleUnavailableException($"VM {VmId} is not running, so its console takes no input");
            if (!_sessions.Contains(s)) throw new ConsoleUnavailableException($"console session {s.Id} of VM {VmId} has ended; open a new console");
            if (_writer != s)
                throw new ConsoleReadOnlyException(_writer is { } w
                    ? $"console session {s.Id} is read-only: session {w.Id} writes to VM {VmId}'s console; open with takeover to take input over"
                    : $"console session {s.Id} is read-only (opened as a reader, or its input was taken over); open a new console to write");
        }
        using var timeout = new CancellationTokenSource(_options.InputTimeout, _time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await _input.WaitAsync(both.Token).ConfigureAwait(false);
            try
            {
                while (data.Length > 0) data = data[await socket.SendAsync(data, SocketFlags.None, both.Token).ConfigureAwait(false)..];
            }
            finally { _input.Release(); }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"VM {VmId}: the guest did not take console input within {_options.InputTimeout.TotalSeconds:0} s (nothing reads its serial port?)");
        }
        catch (SocketException e) { throw new ConsoleUnavailableException($"VM {VmId}: its console closed while writing ({e.Message})"); }
    }

    internal void Leave(ConsoleSession s)
    {
        lock (_gate)
        {
            if (!_sessions.Remove(s)) return;
            if (_writer == s) _writer = null;
            s.IsWriter = false;
        }
        LogClosed(VmId, s.Id);
    }
}
