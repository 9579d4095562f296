using Infra.Controller.Config;
using Infra.Store;
using Infra.Store.Etcd;
using Infra.Store.Sqlite;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Hosting;

/// <summary>The one place a store is built from the --store spec.</summary>
public static class StoreFactory
{
    /// <param name="etcd">CA, client certificate and auth for an etcd store (the config's etcd section).</param>
    public static IKeyValueStore Open(StoreSpec spec, ILoggerFactory logs, TimeProvider time, EtcdSecurity? etcd = null) => spec switch
    {
        StoreSpec.Sqlite s => OpenSqlite(s, logs, time),
        StoreSpec.Etcd e => EtcdStore.Connect(new EtcdStoreOptions([.. e.Endpoints.Select(u => u.GetLeftPart(UriPartial.Authority))], Security: etcd),
            logs.CreateLogger<EtcdStore>()),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown store spec"),
    };

    static SqliteStore OpenSqlite(StoreSpec.Sqlite s, ILoggerFactory logs, TimeProvider time)
    {
        if (Path.GetDirectoryName(s.Path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        return SqliteStore.Open(new SqliteStoreOptions(s.Path), time, logs.CreateLogger<SqliteStore>());
    }
}
