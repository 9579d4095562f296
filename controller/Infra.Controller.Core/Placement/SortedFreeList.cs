namespace Infra.Controller.Core.Placement;

/// <summary>
/// Eligible hosts ordered by free memory (then index), in a flat array. A decision binary-searches
/// the first host with enough memory (Pack walks up from there, Spread walks down from the top),
/// so it touches only hosts that already pass the memory filter. Updates move a slice of the array:
/// a memmove of at most hosts x 16 bytes, far cheaper than a balanced tree's allocations (and
/// SortedSet views count their elements on creation, which is O(hosts) per decision).
/// </summary>
internal sealed class SortedFreeList
{
    (long Free, int Host)[] _items = new (long, int)[16];
    int _count;

    public int Count => _count;
    public (long Free, int Host) this[int i] => _items[i];

    static int Cmp((long Free, int Host) a, (long Free, int Host) b) => a.Free != b.Free ? a.Free.CompareTo(b.Free) : a.Host.CompareTo(b.Host);

    /// <summary>Index of the first item not less than <paramref name="key"/>.</summary>
    int LowerBound((long Free, int Host) key)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Cmp(_items[mid], key) < 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Index of the first host whose free memory is at least <paramref name="free"/>.</summary>
    public int FirstWithAtLeast(long free) => LowerBound((free, int.MinValue));

    public void Add(long free, int host)
    {
        if (_count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        var i = LowerBound((free, host));
        Array.Copy(_items, i, _items, i + 1, _count - i);
        _items[i] = (free, host);
        _count++;
    }

    public void Remove(long free, int host)
    {
        var i = LowerBound((free, host));
        if (i >= _count || _items[i] != (free, host)) throw new InvalidOperationException($"placement index out of sync for host #{host}");
        Array.Copy(_items, i + 1, _items, i, _count - i - 1);
        _count--;
    }
}
