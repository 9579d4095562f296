using System.Net.Sockets;
using Infra.DBus.Wire;

namespace Infra.DBus.Client;

public sealed partial class DBusConnection
{
    async Task ReadLoopAsync(byte[] leftover)
    {
        var buf = new byte[Math.Max(64 * 1024, leftover.Length)];
        leftover.CopyTo(buf, 0);
        int start = 0, end = leftover.Length;
        try
        {
            while (true)
            {
                // Decode every whole frame already buffered before reading again.
                while (true)
                {
                    var span = buf.AsSpan(start, end - start);
                    int total = MessageCodec.PeekLength(span);
                    if (total == 0 || span.Length < total)
                    {
                        if (total > buf.Length - start)
                        {
                            // A large frame: make room for all of it so it arrives in one piece.
                            var bigger = total > buf.Length ? new byte[total] : buf;
                            Buffer.BlockCopy(buf, start, bigger, 0, end - start);
                            buf = bigger; end -= start; start = 0;
                        }
                        break;
                    }
                    MessageCodec.TryDecode(span, out var message);
                    start += total;
                    Dispatch(message!);
                }
                if (start == end) start = end = 0;
                else if (end == buf.Length) { Buffer.BlockCopy(buf, start, buf, 0, end - start); end -= start; start = 0; }
                int n = await _socket.ReceiveAsync(buf.AsMemory(end), SocketFlags.None, _closing.Token);
                if (n == 0) { Close(new DBusConnectionClosedException("the bus closed the socket")); return; }
                end += n;
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested) { }
        catch (Exception e) { Close(e); }
    }

    async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(_closing.Token))
            {
                for (int sent = 0; sent < frame.Length;)
                    sent += await _socket.SendAsync(frame.AsMemory(sent), SocketFlags.None, _closing.Token);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested) { }
        catch (Exception e) { Close(e); }
    }

    void Dispatch(DBusMessage m)
    {
        switch (m.Type)
        {
            case MessageType.MethodReturn or MessageType.Error:
                if (m.ReplySerial is { } rs && _pending.TryRemove(rs, out var tcs)) tcs.TrySetResult(m);
                else DBusConnectionLog.UnmatchedReply(_log, m.ReplySerial ?? 0);
                break;
            case MessageType.Signal:
                DispatchSignal(m);
                break;
            case MessageType.MethodCall:
                DispatchCall(m);
                break;
            // Unknown message types must be ignored (spec: "Message types").
        }
    }

    /// <summary>Encodes on the caller's thread (so bad arguments throw there) and queues for the write loop.</summary>
    void Enqueue(byte[] frame)
    {
        if (!_outbox.Writer.TryWrite(frame))
            throw new DBusConnectionClosedException("the D-Bus connection is closed; create a new one");
    }
}
