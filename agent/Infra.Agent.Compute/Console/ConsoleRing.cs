namespace Infra.Agent.Compute.Console;

/// <summary>
/// A console reader's backlog: a byte ring that keeps the newest <see cref="Capacity"/> bytes. When
/// output arrives faster than the reader takes it, the oldest unread bytes are overwritten and counted,
/// and the next <see cref="Read"/> reports how many were lost, so a slow reader sees a gap it can name
/// instead of slowing the guest. Pure and not thread-safe: its owner locks around it.
/// </summary>
public sealed class ConsoleRing
{
    private readonly byte[] _buffer;
    private int _start, _count;
    private long _dropped;

    /// <summary>A ring holding up to <paramref name="capacity"/> bytes.</summary>
    public ConsoleRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _buffer = new byte[capacity];
    }

    /// <summary>The most bytes held.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Bytes held, not yet read.</summary>
    public int Count => _count;

    /// <summary>Bytes overwritten before they were read, since the last read.</summary>
    public long Dropped => _dropped;

    /// <summary>Whether a read would return anything (bytes or a loss to report).</summary>
    public bool HasNews => _count > 0 || _dropped > 0;

    /// <summary>Appends <paramref name="data"/>, overwriting the oldest unread bytes when full.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _buffer.Length)
        {
            // Only the newest Capacity bytes can survive: everything held and the head of data is lost.
            _dropped += _count + (data.Length - _buffer.Length);
            data[^_buffer.Length..].CopyTo(_buffer);
            (_start, _count) = (0, _buffer.Length);
            return;
        }
        var overflow = _count + data.Length - _buffer.Length;
        if (overflow > 0)
        {
            _start = (_start + overflow) % _buffer.Length;
            _count -= overflow;
            _dropped += overflow;
        }
        var end = (_start + _count) % _buffer.Length;
        var first = Math.Min(data.Length, _buffer.Length - end);
        data[..first].CopyTo(_buffer.AsSpan(end));
        data[first..].CopyTo(_buffer);
        _count += data.Length;
    }

    /// <summary>Takes up to <c>destination.Length</c> of the oldest bytes; returns how many, and the loss since the last read.</summary>
    public (int Read, long Skipped) Read(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _count);
        var first = Math.Min(n, _buffer.Length - _start);
        _buffer.AsSpan(_start, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        _start = _count == n ? 0 : (_start + n) % _buffer.Length;
        _count -= n;
        var skipped = _dropped;
        _dropped = 0;
        return (n, skipped);
    }
}
