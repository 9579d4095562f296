using Infra.Store.Sqlite;
using Infra.Store.Tests.Conformance;
using Infra.Store.Tests.Support;

namespace Infra.Store.Tests.Sqlite;

public sealed class SqliteHarness : IStoreHarness
{
    readonly TempDir _dir = new();
    readonly FakeTimeProvider _time = new();
    readonly List<SqliteStore> _stores = [];

    public TimeProvider Time => _time;

    public Task<IKeyValueStore> OpenAsync()
    {
        var s = SqliteStore.Open(new SqliteStoreOptions(_dir.File("state.db"), WatchPollInterval: TimeSpan.FromMilliseconds(200)), _time);
        _stores.Add(s);
        return Task.FromResult<IKeyValueStore>(s);
    }

    public Task ElapseAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _stores) await s.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>The backend-independent suite on SQLite.</summary>
public sealed class SqliteConformance() : StoreConformance(new SqliteHarness());
