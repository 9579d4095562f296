namespace Infra.Store.Tests.Conformance;

/// <summary>
/// What a backend supplies to run <see cref="StoreConformance"/>: a fresh, empty store per test and a
/// way to let lease time pass. SQLite advances a fake clock; an etcd harness (real wall-clock lessor)
/// would simply wait, which is why lease tests use TTLs of a couple of seconds. Some tests assert exact
/// revision steps, so no other writer may use the store while a test runs (one etcd per test class).
/// </summary>
public interface IStoreHarness : IAsyncDisposable
{
    Task<IKeyValueStore> OpenAsync();

    /// <summary>The clock the store was given (for election helpers built on it).</summary>
    TimeProvider Time { get; }

    Task ElapseAsync(TimeSpan time);
}
