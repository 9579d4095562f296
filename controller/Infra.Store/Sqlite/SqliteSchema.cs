using Microsoft.Data.Sqlite;

namespace Infra.Store.Sqlite;

/// <summary>
/// Tables: kv holds the current value of each live key (fast reads at the head revision);
/// history holds every put and delete (tombstone) keyed by (rev, sub), which serves reads at a past
/// revision, watch replay and prev_kv; meta holds the revision counters; lease holds TTL deadlines in
/// milliseconds of the injected clock. BLOB comparison in SQLite is memcmp-then-length, i.e. the same
/// byte order etcd uses, so range predicates translate directly.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    public static void Apply(SqliteConnection c)
    {
        Exec(c, """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', 1), ('revision', 1), ('compact_revision', 0);
            CREATE TABLE IF NOT EXISTS kv(
                key BLOB PRIMARY KEY, value BLOB NOT NULL, create_rev INTEGER NOT NULL,
                mod_rev INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS kv_lease ON kv(lease) WHERE lease <> 0;
            CREATE TABLE IF NOT EXISTS history(
                rev INTEGER NOT NULL, sub INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,
                create_rev INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL,
                deleted INTEGER NOT NULL, PRIMARY KEY(rev, sub)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS history_key ON history(key, rev);
            CREATE TABLE IF NOT EXISTS lease(
                id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL, granted_ttl INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
            """);
        var schema = Scalar(c, null, "SELECT value FROM meta WHERE name = 'schema'");
        if (schema != Version)
            throw new InvalidOperationException($"store schema {schema} is not supported by this build (expects {Version}); use a matching controller version");
    }

    public static void Exec(SqliteConnection c, string sql, SqliteTransaction? t = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection c, SqliteTransaction? t, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = t;
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    public static long Revision(SqliteConnection c, SqliteTransaction? t) => Scalar(c, t, "SELECT value FROM meta WHERE name = 'revision'");
    public static long CompactRevision(SqliteConnection c, SqliteTransaction? t) => Scalar(c, t, "SELECT value FROM meta WHERE name = 'compact_revision'");
}
