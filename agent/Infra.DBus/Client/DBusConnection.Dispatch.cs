using Infra.DBus.Wire;

namespace Infra.DBus.Client;

public delegate Task<DBusMessage> MethodHandler(DBusMessage call, CancellationToken ct);

public sealed partial class DBusConnection
{
    readonly object _gate = new();
    readonly List<(MatchRule Rule, Action<DBusMessage> Handler)> _signalHandlers = new();
    readonly Dictionary<string, MethodHandler> _objects = new();

    /// <summary>
    /// Registers <paramref name="handler"/> for signals matching <paramref name="rule"/> and asks the bus
    /// to route them here. Handlers run on the read loop: keep them short and never block in them.
    /// Dispose the result to remove the handler and the bus match.
    /// </summary>
    public async Task<IAsyncDisposable> AddMatchAsync(MatchRule rule, Action<DBusMessage> handler, CancellationToken ct = default)
    {
        var entry = (rule, handler);
        lock (_gate) _signalHandlers.Add(entry);
        try
        {
            await CallAsync(DBusMessage.MethodCall(BusNames.Daemon, BusNames.DaemonPath, BusNames.DaemonInterface, "AddMatch", "s", rule.ToString()), null, ct);
        }
        catch
        {
            lock (_gate) _signalHandlers.Remove(entry);
            throw;
        }
        return new Subscription(this, entry);
    }

    sealed class Subscription(DBusConnection conn, (MatchRule, Action<DBusMessage>) entry) : IAsyncDisposable
    {
        int _done;
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            lock (conn._gate) conn._signalHandlers.Remove(entry);
            if (conn.IsClosed) return;
            try
            {
                await conn.CallAsync(DBusMessage.MethodCall(BusNames.Daemon, BusNames.DaemonPath, BusNames.DaemonInterface, "RemoveMatch", "s", entry.Item1.ToString()));
            }
            catch (DBusConnectionClosedException) { }
        }
    }

    /// <summary>Serves method calls to <paramref name="path"/>. Throw <see cref="DBusErrorException"/> to answer with that error.</summary>
    public IDisposable ExportObject(string path, MethodHandler handler)
    {
        lock (_gate)
        {
            if (!_objects.TryAdd(path, handler)) throw new InvalidOperationException($"object {path} is already exported on this connection");
        }
        return new Unexport(this, path);
    }

    sealed class Unexport(DBusConnection conn, string path) : IDisposable
    {
        public void Dispose() { lock (conn._gate) conn._objects.Remove(path); }
    }

    void DispatchSignal(DBusMessage m)
    {
        List<Action<DBusMessage>> targets;
        lock (_gate) targets = _signalHandlers.Where(h => h.Rule.Matches(m)).Select(h => h.Handler).ToList();
        foreach (var h in targets)
        {
            try { h(m); }
            catch (Exception e) { DBusConnectionLog.SignalHandlerFailed(_log, m.Member, e); }
        }
    }

    void DispatchCall(DBusMessage call)
    {
        if (call.Interface == BusNames.PeerInterface && call.Member == "Ping")
        {
            Reply(call, DBusMessage.ReplyTo(call));
            return;
        }
        MethodHandler? handler;
        lock (_gate) _objects.TryGetValue(call.Path!, out handler);
        if (handler is null)
        {
            Reply(call, DBusMessage.ErrorTo(call, BusNames.ErrorUnknownObject, $"no object at {call.Path}"));
            return;
        }
        // Handlers may be slow; run them off the read loop so replies to our own calls keep flowing.
        _ = Task.Run(async () =>
        {
            DBusMessage reply;
            try { reply = await handler(call, _closing.Token); }
            catch (DBusErrorException e) { reply = DBusMessage.ErrorTo(call, e.ErrorName, e.ErrorMessage); }
            catch (Exception e) { reply = DBusMessage.ErrorTo(call, BusNames.ErrorFailed, e.Message); }
            Reply(call, reply);
        });
    }

    void Reply(DBusMessage call, DBusMessage reply)
    {
        if (call.Flags.HasFlag(MessageFlags.NoReplyExpected) || IsClosed) return;
        try { Send(reply); }
        catch (DBusConnectionClosedException) { }
    }
}
