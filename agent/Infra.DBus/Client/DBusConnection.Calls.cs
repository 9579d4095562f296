using Infra.DBus.Wire;

namespace Infra.DBus.Client;

public sealed partial class DBusConnection
{
    /// <summary>
    /// Sends a method call and awaits its reply. An error reply throws <see cref="DBusErrorException"/>;
    /// no reply within <paramref name="timeout"/> (default from options) throws <see cref="DBusTimeoutException"/>;
    /// a closing connection throws <see cref="DBusConnectionClosedException"/>.
    /// </summary>
    public async Task<DBusMessage> CallAsync(DBusMessage call, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (call.Type != MessageType.MethodCall) throw new ArgumentException("CallAsync sends method calls only", nameof(call));
        var limit = timeout ?? _options.DefaultCallTimeout;
        var msg = call with { Serial = NextSerial(), Flags = call.Flags & ~MessageFlags.NoReplyExpected };
        var frame = MessageCodec.Encode(msg);
        var tcs = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[msg.Serial] = tcs;
        try
        {
            if (IsClosed) throw new DBusConnectionClosedException("the D-Bus connection is closed; create a new one");
            Enqueue(frame);
            var reply = await tcs.Task.WaitAsync(limit, _options.TimeProvider, ct);
            if (reply.Type == MessageType.Error) throw new DBusErrorException(reply.ErrorName!, reply.ErrorText);
            return reply;
        }
        catch (TimeoutException)
        {
            throw new DBusTimeoutException($"no reply to {call.Interface}.{call.Member} on {call.Path} within {limit}");
        }
        finally
        {
            _pending.TryRemove(msg.Serial, out _);
        }
    }

    /// <summary>Convenience: call and return the reply body.</summary>
    public async Task<IReadOnlyList<object>> CallMethodAsync(string? destination, string path, string iface, string member,
        string signature, object[] args, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var reply = await CallAsync(DBusMessage.MethodCall(destination, path, iface, member, signature, args), timeout, ct);
        return reply.Body;
    }

    /// <summary>Sends a message that expects no reply (signal, method return, error, one-way call). Returns its serial.</summary>
    public uint Send(DBusMessage message)
    {
        var msg = message with { Serial = NextSerial() };
        Enqueue(MessageCodec.Encode(msg));
        return msg.Serial;
    }
}
