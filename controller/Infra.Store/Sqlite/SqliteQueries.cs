using Microsoft.Data.Sqlite;

namespace Infra.Store.Sqlite;

/// <summary>Reads shared by reader connections and the writer's open transaction.</summary>
internal static class SqliteQueries
{
    static string Where(string column, byte[]? end) =>
        end is null || end.Length == 0 ? $"{column} = @k"
        : end is [0] ? $"{column} >= @k"
        : $"{column} >= @k AND {column} < @e";

    static void Bind(SqliteCommand cmd, byte[] key, byte[]? end)
    {
        cmd.Parameters.AddWithValue("@k", key);
        if (end is { Length: > 0 } && end is not [0]) cmd.Parameters.AddWithValue("@e", end);
    }

    static KeyValue Read(SqliteDataReader r, bool keysOnly) => new(
        (byte[])r[0], keysOnly ? [] : (byte[])r[1], r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5));

    public static KeyValue? Get(SqliteConnection c, SqliteTransaction? t, byte[] key)
    {
        var list = RangeHead(c, t, key, null, 0, false, out _);
        return list.Count == 0 ? null : list[0];
    }

    /// <summary>Range over the live keys; count = all matches ignoring limit.</summary>
    public static List<KeyValue> RangeHead(SqliteConnection c, SqliteTransaction? t, byte[] key, byte[]? end, long limit, bool keysOnly, out long count, long minMod = 0)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        var cols = keysOnly ? "key, x'', create_rev, mod_rev, version, lease" : "key, value, create_rev, mod_rev, version, lease";
        var where = Where("key", end) + (minMod > 0 ? " AND mod_rev >= @min" : "");
        cmd.CommandText = $"SELECT {cols} FROM kv WHERE {where} ORDER BY key" + (limit > 0 ? " LIMIT @lim" : "");
        Bind(cmd, key, end);
        if (minMod > 0) cmd.Parameters.AddWithValue("@min", minMod);
        if (limit > 0) cmd.Parameters.AddWithValue("@lim", limit + 1);
        var list = new List<KeyValue>();
        using (var r = cmd.ExecuteReader())
            while (r.Read()) list.Add(Read(r, keysOnly));
        count = list.Count;
        if (limit > 0 && list.Count > limit)
        {
            list.RemoveAt(list.Count - 1);
            using var cnt = c.CreateCommand();
            cnt.Transaction = t;
            cnt.CommandText = $"SELECT COUNT(*) FROM kv WHERE {where}";
            Bind(cnt, key, end);
            if (minMod > 0) cnt.Parameters.AddWithValue("@min", minMod);
            count = Convert.ToInt64(cnt.ExecuteScalar());
        }
        return list;
    }

    /// <summary>Range as of a past revision, from history: the newest row per key at or below rev, unless a tombstone.</summary>
    public static List<KeyValue> RangeAt(SqliteConnection c, SqliteTransaction? t, byte[] key, byte[]? end, long rev, bool keysOnly)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = $"""
            SELECT h.key, h.value, h.create_rev, h.rev, h.version, h.lease, h.deleted FROM history h
            WHERE {Where("h.key", end)} AND h.rev <= @r
              AND h.rev = (SELECT MAX(h2.rev) FROM history h2 WHERE h2.key = h.key AND h2.rev <= @r)
            ORDER BY h.key
            """;
        Bind(cmd, key, end);
        cmd.Parameters.AddWithValue("@r", rev);
        var list = new List<KeyValue>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            if (r.GetInt64(6) == 0) list.Add(Read(r, keysOnly));
        return list;
    }

    /// <summary>The key's state just before revision rev (prev_kv of an event at rev), null if absent or compacted.</summary>
    public static KeyValue? Before(SqliteConnection c, SqliteTransaction? t, byte[] key, long rev)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = "SELECT key, value, create_rev, rev, version, lease, deleted FROM history WHERE key = @k AND rev < @r ORDER BY rev DESC LIMIT 1";
        cmd.Parameters.AddWithValue("@k", key);
        cmd.Parameters.AddWithValue("@r", rev);
        using var r = cmd.ExecuteReader();
        return r.Read() && r.GetInt64(6) == 0 ? Read(r, false) : null;
    }

    /// <summary>History rows in [fromRev, toRev] for a key range, in commit order.</summary>
    public static List<(long Rev, bool Deleted, KeyValue Kv)> Events(SqliteConnection c, SqliteTransaction? t, byte[] key, byte[]? end, long fromRev, long toRev)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = $"""
            SELECT key, value, create_rev, rev, version, lease, deleted FROM history
            WHERE rev >= @from AND rev <= @to AND {Where("key", end)} ORDER BY rev, sub
            """;
        Bind(cmd, key, end);
        cmd.Parameters.AddWithValue("@from", fromRev);
        cmd.Parameters.AddWithValue("@to", toRev);
        var list = new List<(long, bool, KeyValue)>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) list.Add((r.GetInt64(3), r.GetInt64(6) != 0, Read(r, false)));
        return list;
    }
}
