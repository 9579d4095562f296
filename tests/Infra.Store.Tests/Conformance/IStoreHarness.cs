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

    /// <summary>Let lease time pass: a fake clock advances at once; in <see cref="RealTime"/> this simply waits.</summary>
    Task ElapseAsync(TimeSpan time);

    /// <summary>
    /// True when the store's lessor runs on the wall clock (etcd) and <see cref="ElapseAsync"/> really
    /// waits: lease tests then cost their TTLs in real seconds (kept at etcd's 2 s minimum), and expiry
    /// is observed by watching for the delete rather than assumed at the instant the clock moves.
    /// </summary>
    bool RealTime => false;
}
