using Infra.Store;
using Infra.Store.Sqlite;

namespace Infra.Controller.Core.Tests;

/// <summary>A real SQLite store in a fresh temp directory; Reopen simulates a controller restart.</summary>
public sealed class TempSqliteStore : IAsyncDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("infra-core-").FullName;
    SqliteStore _store;

    public TempSqliteStore() => _store = Open();

    public IKeyValueStore Store => _store;

    SqliteStore Open() => SqliteStore.Open(new SqliteStoreOptions(Path.Combine(_dir, "state.db")));

    public async Task<IKeyValueStore> ReopenAsync()
    {
        await _store.DisposeAsync();
        _store = Open();
        return _store;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
