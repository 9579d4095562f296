using Infra.Controller.Config;
using Infra.Store;
using Infra.Store.Sqlite;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Hosting;

/// <summary>The one place a store is built from the --store spec.</summary>
public static class StoreFactory
{
    public static IKeyValueStore Open(StoreSpec spec, ILoggerFactory logs, TimeProvider time) => spec switch
    {
        StoreSpec.Sqlite s => OpenSqlite(s, logs, time),
        // LEAD: wire Infra.Store.Etcd here (new EtcdStore(e.Endpoints, ...)); until then etcd specs are refused at start.
        StoreSpec.Etcd e => throw new NotSupportedException(
            $"this build has no etcd backend yet (asked for {string.Join(",", e.Endpoints)}); use --store sqlite:/var/lib/infra/state.db"),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown store spec"),
    };

    static SqliteStore OpenSqlite(StoreSpec.Sqlite s, ILoggerFactory logs, TimeProvider time)
    {
        if (Path.GetDirectoryName(s.Path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        return SqliteStore.Open(new SqliteStoreOptions(s.Path), time, logs.CreateLogger<SqliteStore>());
    }
}
