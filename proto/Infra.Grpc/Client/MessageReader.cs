using System.Buffers;
using System.Runtime.CompilerServices;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Client;

/// <summary>What one <see cref="MessageReader.ReadAsync{TState, T}"/> found.</summary>
internal enum MessageReadStatus
{
    /// <summary>A whole message, parsed.</summary>
    Message,
    /// <summary>The body ended cleanly between messages.</summary>
    End,
    /// <summary>The body ended inside a message (Length = bytes of it that arrived).</summary>
    Truncated,
    /// <summary>The prefix declares more than the limit (Length = declared size); nothing more was read.</summary>
    TooLarge,
    /// <summary>The flag byte is neither 0 nor 1.</summary>
    InvalidFlag,
    /// <summary>The compressed flag is set (we never negotiate compression).</summary>
    Compressed,
}

internal readonly record struct MessageRead<T>(MessageReadStatus Status, T? Message, long Length);

/// <summary>
/// Reads gRPC length-prefixed messages from a response body into one array rented from a pool, and
/// parses each in place: no per-call PipeReader, segments or copies. The array is rented on the first
/// read, grows (rent bigger, copy, return the old one) only for a message larger than it, and goes back
/// to the pool exactly once: when the body has been read to its end, or on <see cref="Release"/>.
/// Release may race with a read on another thread (the call is disposed or cancelled while the
/// reader awaits the network); the array is then returned by the read as it leaves, never while a
/// read or a parse may still touch it. One reader at a time, as for any gRPC stream.
/// </summary>
internal sealed class MessageReader(Stream stream, ArrayPool<byte> pool, int initialSize = MessageReader.DefaultSize)
{
    internal const int DefaultSize = 4096;
    const int Idle = 0, Busy = 1, Released = 2, ReleaseWhenIdle = 3;

    byte[]? _buffer;
    int _start, _end; // unread bytes are _buffer[_start.._end)
    int _state;
    bool _eof;

    /// <summary>Reads and parses the next message. The bytes handed to parse are only valid during the call.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MessageRead<T>> ReadAsync<TState, T>(Func<TState, ReadOnlySequence<byte>, T> parse, TState state, int maxMessageSize, CancellationToken cancellationToken)
    {
        switch (Interlocked.CompareExchange(ref _state, Busy, Idle))
        {
            case Idle: break;
            case Busy: throw new InvalidOperationException("A read is already in progress on this response stream; read one message at a time.");
            default:
                if (_eof && _buffer is null) return new(MessageReadStatus.End, default, 0); // released because fully read
                throw new ObjectDisposedException(nameof(MessageReader), "The response body was already released.");
        }
        try
        {
            while (true)
            {
                var unread = _buffer is null ? default : new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                switch (GrpcFrame.TryRead(ref unread, maxMessageSize, out var payload, out var compressed, out var length))
                {
                    case FrameReadResult.Complete:
                        _start = _end - (int)unread.Length;
                        if (compressed) return new(MessageReadStatus.Compressed, default, length);
                        return new(MessageReadStatus.Message, parse(state, payload), length);
                    case FrameReadResult.TooLarge: return new(MessageReadStatus.TooLarge, default, length);
                    case FrameReadResult.InvalidFlag: return new(MessageReadStatus.InvalidFlag, default, length);
                }
                if (_eof)
                    return _end > _start ? new(MessageReadStatus.Truncated, default, _end - _start) : new(MessageReadStatus.End, default, 0);
                MakeRoom((int)Math.Min(Array.MaxLength, GrpcFrame.HeaderSize + length));
                var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                if (n == 0) _eof = true;
                else _end += n;
            }
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Busy) != Busy) ReturnBuffer(); // Release came in meanwhile
            else if (_eof && _start == _end) Release();                                      // fully read: give it back now
        }
    }

    /// <summary>Makes sure a frame of `needed` bytes fits from _start; compacts or grows the array.</summary>
    void MakeRoom(int needed)
    {
        if (_buffer is null) { _buffer = pool.Rent(Math.Max(initialSize, needed)); return; }
        if (_start == _end) (_start, _end) = (0, 0);
        // Enough room for the frame and a worthwhile read: read on. Otherwise compact or grow.
        if (_buffer.Length - _start >= needed && _buffer.Length - _end >= Math.Min(512, _buffer.Length / 4)) return;
        var unread = _end - _start;
        if (_buffer.Length >= needed && _start > 0)
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
        else
        {
            var bigger = pool.Rent(Math.Max(needed, _buffer.Length * 2));
            Buffer.BlockCopy(_buffer, _start, bigger, 0, unread);
            pool.Return(_buffer);
            _buffer = bigger;
        }
        (_start, _end) = (0, unread);
    }

    /// <summary>Gives the array back to the pool now, or as soon as the read in progress leaves. Idempotent, thread-safe.</summary>
    public void Release()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Idle:
                    if (Interlocked.CompareExchange(ref _state, Released, Idle) == Idle) { ReturnBuffer(); return; }
                    break;
                case Busy:
                    if (Interlocked.CompareExchange(ref _state, ReleaseWhenIdle, Busy) == Busy) return;
                    break;
                default: return;
            }
        }
    }

    void ReturnBuffer()
    {
        Volatile.Write(ref _state, Released);
        if (_buffer is { } b) { _buffer = null; pool.Return(b); }
    }
}
