namespace Infra.Store.Sqlite;

/// <summary>etcd's compare semantics, evaluated inside the write transaction.</summary>
internal static class SqliteCompare
{
    public static bool Holds(SqliteWriteTxn tx, Compare c)
    {
        var kvs = tx.Range(new RangeRequest(c.Key, c.RangeEnd)).Kvs;
        if (kvs.Count == 0)
        {
            // A missing key: numeric fields are 0; a Value comparison cannot hold (etcd applyCompare).
            if (c.Target == CompareTarget.Value) return false;
            return Holds(new KeyValue(c.Key, [], 0, 0, 0, 0), c);
        }
        return kvs.All(kv => Holds(kv, c));
    }

    public static bool Holds(KeyValue kv, Compare c)
    {
        int cmp = c.Target switch
        {
            CompareTarget.Version => kv.Version.CompareTo(c.Number),
            CompareTarget.CreateRevision => kv.CreateRevision.CompareTo(c.Number),
            CompareTarget.ModRevision => kv.ModRevision.CompareTo(c.Number),
            CompareTarget.Lease => kv.Lease.CompareTo(c.Number),
            CompareTarget.Value => kv.Value.AsSpan().SequenceCompareTo(c.Value ?? []),
            _ => throw new InvalidStoreRequestException($"unknown compare target {c.Target}"),
        };
        return c.Result switch
        {
            CompareResult.Equal => cmp == 0,
            CompareResult.NotEqual => cmp != 0,
            CompareResult.Greater => cmp > 0,
            CompareResult.Less => cmp < 0,
            _ => throw new InvalidStoreRequestException($"unknown compare result {c.Result}"),
        };
    }
}
