namespace Infra.Store.Tests.Conformance;

/// <summary>
/// Behaviour every <see cref="IKeyValueStore"/> backend must show, written against etcd v3's documented
/// semantics. A backend runs it with a one-line subclass: <c>class XConformance() : StoreConformance(new XHarness());</c>
/// </summary>
public abstract partial class StoreConformance(IStoreHarness harness) : IAsyncLifetime
{
    protected IStoreHarness Harness { get; } = harness;
    protected IKeyValueStore Store { get; private set; } = null!;

    // Keys are namespaced per test instance so a shared backend (etcd) never sees another test's keys.
    protected string P { get; } = $"/t{Guid.NewGuid():N}/";

    public async Task InitializeAsync() => Store = await Harness.OpenAsync();

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>Next watch response, failing the test after a bound instead of hanging.</summary>
    protected static async Task<WatchResponse> NextAsync(IAsyncEnumerator<WatchResponse> e)
    {
        var moved = await e.MoveNextAsync().AsTask().WaitAsync(Bound);
        Assert.True(moved, "watch ended unexpectedly");
        return e.Current;
    }

    /// <summary>Collect events until <paramref name="count"/> have arrived.</summary>
    protected static async Task<List<WatchEvent>> CollectAsync(IAsyncEnumerator<WatchResponse> e, int count)
    {
        var events = new List<WatchEvent>();
        while (events.Count < count) events.AddRange((await NextAsync(e)).Events);
        return events;
    }

    protected async Task<long> RevisionAsync() => (await Store.RangeAsync(RangeRequest.Single(P + "none"))).Header.Revision;
}
