using System.Buffers;

namespace Infra.Grpc.Tests.Support;

/// <summary>
/// An ArrayPool that remembers every array it lent: tests assert each is returned exactly once and
/// nothing is left out. It hands returned arrays out again (and scribbles over them on return), so a
/// reader that kept using an array after returning it sees its bytes change.
/// </summary>
public sealed class CountingArrayPool : ArrayPool<byte>
{
    readonly object _lock = new();
    readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
    readonly Stack<byte[]> _free = new();
    readonly List<string> _errors = new();

    public int Rented { get; private set; }
    public int Returned { get; private set; }
    public int Outstanding { get { lock (_lock) return _out.Count; } }
    public IReadOnlyList<string> Errors { get { lock (_lock) return _errors.ToList(); } }

    public override byte[] Rent(int minimumLength)
    {
        lock (_lock)
        {
            Rented++;
            var array = _free.Count > 0 && _free.Peek().Length >= minimumLength ? _free.Pop() : new byte[Math.Max(minimumLength, 16)];
            _out.Add(array);
            return array;
        }
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        lock (_lock)
        {
            if (!_out.Remove(array)) { _errors.Add($"an array of {array.Length} bytes was returned that is not lent out (returned twice?)"); return; }
            Returned++;
            Array.Fill(array, (byte)0xEE);
            _free.Push(array);
        }
    }

    /// <summary>Waits (bounded) until every lent array is back: a read that is unwinding on another thread returns its array as it leaves.</summary>
    public async Task<int> OutstandingAfterAsync(TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (Outstanding > 0 && DateTime.UtcNow < until) await Task.Delay(10);
        return Outstanding;
    }
}
