using Microsoft.Data.Sqlite;

namespace Infra.Store.Sqlite;

/// <summary>
/// One write transaction on the writer connection. All writes share revision BaseRevision + 1 and get
/// increasing sub indexes (their order within the revision); the revision only advances on commit when
/// something was written, as etcd does.
/// </summary>
internal sealed class SqliteWriteTxn : IDisposable
{
    readonly SqliteConnection _c;
    readonly long _nowMs;
    readonly HashSet<string> _writtenKeys = [];
    int _sub;

    public SqliteTransaction Tx { get; }
    public long BaseRevision { get; }
    public bool Wrote => _sub > 0;
    public long Revision => Wrote ? BaseRevision + 1 : BaseRevision;

    public SqliteWriteTxn(SqliteConnection c, long nowMs)
    {
        _c = c;
        _nowMs = nowMs;
        Tx = c.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: take the write lock up front
        BaseRevision = SqliteSchema.Revision(c, Tx);
    }

    public RangeResponse Range(RangeRequest r)
    {
        if (r.Revision > 0 && r.Revision != Revision)
            throw new InvalidStoreRequestException("a range inside a transaction reads at the transaction's revision; leave Revision 0");
        var kvs = SqliteQueries.RangeHead(_c, Tx, r.Key, r.RangeEnd, r.Limit, r.KeysOnly, out var count, r.MinModRevision);
        return new RangeResponse(new(Revision), r.CountOnly ? [] : kvs, r.Limit > 0 && count > kvs.Count, count);
    }

    public PutResponse Put(PutRequest p)
    {
        if (p.Key.Length == 0) throw new InvalidStoreRequestException("key is empty");
        MarkWritten(p.Key);
        if (p.Lease != 0 && !LeaseAlive(p.Lease)) throw new LeaseNotFoundException(p.Lease);
        var prev = SqliteQueries.Get(_c, Tx, p.Key);
        var rev = BaseRevision + 1;
        var sub = _sub++;
        var kv = new KeyValue(p.Key, p.Value, prev?.CreateRevision ?? rev, rev, (prev?.Version ?? 0) + 1, p.Lease);
        using var cmd = _c.CreateCommand();
        cmd.Transaction = Tx;
        cmd.CommandText = """
            INSERT INTO kv(key, value, create_rev, mod_rev, version, lease) VALUES (@k, @v, @c, @m, @ver, @l)
              ON CONFLICT(key) DO UPDATE SET value = @v, mod_rev = @m, version = @ver, lease = @l;
            INSERT INTO history(rev, sub, key, value, create_rev, version, lease, deleted) VALUES (@m, @s, @k, @v, @c, @ver, @l, 0);
            """;
        cmd.Parameters.AddWithValue("@k", kv.Key);
        cmd.Parameters.AddWithValue("@v", kv.Value);
        cmd.Parameters.AddWithValue("@c", kv.CreateRevision);
        cmd.Parameters.AddWithValue("@m", rev);
        cmd.Parameters.AddWithValue("@ver", kv.Version);
        cmd.Parameters.AddWithValue("@l", kv.Lease);
        cmd.Parameters.AddWithValue("@s", sub);
        cmd.ExecuteNonQuery();
        return new PutResponse(new(rev), p.PrevKv ? prev : null);
    }

    public DeleteRangeResponse Delete(DeleteRangeRequest d)
    {
        var victims = SqliteQueries.RangeHead(_c, Tx, d.Key, d.RangeEnd, 0, false, out _);
        foreach (var kv in victims) DeleteOne(kv.Key);
        return new DeleteRangeResponse(new(Revision), victims.Count, d.PrevKv ? victims : []);
    }

    void DeleteOne(byte[] key)
    {
        MarkWritten(key);
        var rev = BaseRevision + 1;
        using var cmd = _c.CreateCommand();
        cmd.Transaction = Tx;
        cmd.CommandText = """
            DELETE FROM kv WHERE key = @k;
            INSERT INTO history(rev, sub, key, value, create_rev, version, lease, deleted) VALUES (@r, @s, @k, x'', 0, 0, 0, 1);
            """;
        cmd.Parameters.AddWithValue("@k", key);
        cmd.Parameters.AddWithValue("@r", rev);
        cmd.Parameters.AddWithValue("@s", _sub++);
        cmd.ExecuteNonQuery();
    }

    void MarkWritten(byte[] key)
    {
        if (!_writtenKeys.Add(Convert.ToHexString(key)))
            throw new InvalidStoreRequestException($"duplicate key '{System.Text.Encoding.UTF8.GetString(key)}' written twice in one transaction");
    }

    public bool LeaseAlive(long id)
    {
        using var cmd = _c.CreateCommand();
        cmd.Transaction = Tx;
        cmd.CommandText = "SELECT expires_ms FROM lease WHERE id = @id";
        cmd.Parameters.AddWithValue("@id", id);
        var v = cmd.ExecuteScalar();
        return v is not null && Convert.ToInt64(v) > _nowMs;
    }

    /// <summary>Delete the lease and its keys (one revision if any key existed).</summary>
    public bool RevokeLease(long id)
    {
        using var keys = _c.CreateCommand();
        keys.Transaction = Tx;
        keys.CommandText = "SELECT key FROM kv WHERE lease = @id ORDER BY key";
        keys.Parameters.AddWithValue("@id", id);
        var list = new List<byte[]>();
        using (var r = keys.ExecuteReader()) while (r.Read()) list.Add((byte[])r[0]);
        foreach (var k in list) DeleteOne(k);
        return SqliteSchema.Scalar(_c, Tx, $"DELETE FROM lease WHERE id = {id}; SELECT changes();") > 0;
    }

    public void Commit()
    {
        if (Wrote) SqliteSchema.Exec(_c, $"UPDATE meta SET value = {BaseRevision + 1} WHERE name = 'revision'", Tx);
        Tx.Commit();
    }

    public void Dispose() => Tx.Dispose();
}
