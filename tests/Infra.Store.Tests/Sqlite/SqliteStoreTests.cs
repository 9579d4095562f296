using Infra.Store.Sqlite;
using Infra.Store.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Infra.Store.Tests.Sqlite;

/// <summary>SQLite-specific behaviour beyond the conformance suite.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Open_UsesWalAndFullSync()
    {
        var path = _dir.File("state.db");
        await using (SqliteStore.Open(new SqliteStoreOptions(path))) { }
        await using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        await c.OpenAsync();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public void Open_WithBadOptions_ReportsEveryError()
    {
        var ex = Assert.Throws<ArgumentException>(() => SqliteStore.Open(new SqliteStoreOptions(_dir.Path, LeaseCheckInterval: TimeSpan.FromSeconds(-1))));
        Assert.Contains("is a directory", ex.Message);
        Assert.Contains("lease check interval", ex.Message);
    }

    [Fact]
    public async Task Lease_ThatExpiredWhileStoreWasClosed_IsReapedAfterReopen()
    {
        var time = new FakeTimeProvider();
        var options = new SqliteStoreOptions(_dir.File("state.db"));
        long lease;
        await using (var store = SqliteStore.Open(options, time))
        {
            lease = (await store.LeaseGrantAsync(new LeaseGrantRequest(5))).Id;
            await store.PutAsync("/owned", "x", lease);
        }
        time.Advance(TimeSpan.FromSeconds(10)); // time passes while the controller is down
        await using (var store = SqliteStore.Open(options, time))
        {
            Assert.NotNull(await store.GetAsync("/owned")); // not yet reaped: the reaper runs on its tick
            await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.LeaseKeepAliveAsync(lease));
            await store.ReapExpiredLeasesAsync();
            Assert.Null(await store.GetAsync("/owned"));
        }
    }

    [Fact]
    public async Task Lease_SurvivesReopen_WhenNotExpired()
    {
        var time = new FakeTimeProvider();
        var options = new SqliteStoreOptions(_dir.File("state.db"));
        long lease;
        await using (var store = SqliteStore.Open(options, time))
        {
            lease = (await store.LeaseGrantAsync(new LeaseGrantRequest(60))).Id;
            await store.PutAsync("/owned", "x", lease);
        }
        await using (var store = SqliteStore.Open(options, time))
        {
            Assert.Equal(60, (await store.LeaseKeepAliveAsync(lease)).TtlSeconds);
            Assert.NotNull(await store.GetAsync("/owned"));
        }
    }

    [Fact]
    public async Task Operations_AfterDispose_FailClearly()
    {
        var store = SqliteStore.Open(new SqliteStoreOptions(_dir.File("state.db")));
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.PutAsync("/a", "1"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("/a"));
    }
}
