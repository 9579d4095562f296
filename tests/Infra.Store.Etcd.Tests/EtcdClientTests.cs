using Infra.Store.Etcd.Tests.Support;

namespace Infra.Store.Etcd.Tests;

/// <summary>Client behaviour beyond the conformance suite: failover, multiplexed watches, etcd limits.</summary>
public sealed class EtcdClientTests : IAsyncLifetime
{
    EtcdProcess _etcd = null!;
    EtcdStore _store = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdProcess.StartNewAsync();
        _store = EtcdStore.Connect(EtcdStoreOptions.For(_etcd.ClientUrl));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    static string DeadEndpoint()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)l.LocalEndpoint).Port}"; // closed again: refuses connections
    }

    [Fact]
    public async Task Calls_WhenFirstEndpointRefuses_MoveToTheNextAndStayThere()
    {
        await using var store = EtcdStore.Connect(new EtcdStoreOptions([DeadEndpoint(), _etcd.ClientUrl]));
        var put = await store.PutAsync("/fo/a", "1");
        Assert.Equal("1", (await store.GetAsync("/fo/a"))!.ValueString);
        using var cts = new CancellationTokenSource(Bounded.Bound);
        await using var e = store.WatchAsync(WatchRequest.Single("/fo/a", put.Header.Revision), cts.Token).GetAsyncEnumerator();
        Assert.Equal("1", (await Bounded.CollectAsync(e, 1))[0].Kv.ValueString);
        var lease = await store.LeaseGrantAsync(new LeaseGrantRequest(10));
        Assert.Equal(10, (await store.LeaseKeepAliveAsync(lease.Id)).TtlSeconds);
    }

    [Fact]
    public async Task Calls_WhenNoEndpointAnswers_FailWithUnavailable()
    {
        await using var store = EtcdStore.Connect(new EtcdStoreOptions([DeadEndpoint(), DeadEndpoint()]));
        var e = await Assert.ThrowsAsync<EtcdRequestException>(() => store.GetAsync("/x"));
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, e.Code);
    }

    [Fact]
    public async Task Watches_ShareOneStream_EachSeesOnlyItsRange_AndCancellingOneLeavesOthers()
    {
        var from = (await _store.PutAsync("/m/start", "x")).Header.Revision + 1;
        using var all = new CancellationTokenSource(Bounded.Bound);
        using var onlyB = new CancellationTokenSource();
        await using var a = _store.WatchAsync(WatchRequest.Prefix("/m/a/", from), all.Token).GetAsyncEnumerator();
        await using var b = _store.WatchAsync(WatchRequest.Prefix("/m/b/", from), CancellationTokenSource.CreateLinkedTokenSource(all.Token, onlyB.Token).Token).GetAsyncEnumerator();
        await using var c = _store.WatchAsync(WatchRequest.Prefix("/m/c/", from), all.Token).GetAsyncEnumerator();
        foreach (var k in new[] { "a/1", "b/1", "c/1", "a/2" }) await _store.PutAsync("/m/" + k, k);
        Assert.Equal(["a/1", "a/2"], (await Bounded.CollectAsync(a, 2)).Select(x => x.Kv.ValueString));
        Assert.Equal(["b/1"], (await Bounded.CollectAsync(b, 1)).Select(x => x.Kv.ValueString));
        Assert.Equal(["c/1"], (await Bounded.CollectAsync(c, 1)).Select(x => x.Kv.ValueString));
        onlyB.Cancel();
        Assert.False(await b.MoveNextAsync().AsTask().WaitAsync(Bounded.Bound));
        await _store.PutAsync("/m/c/2", "c/2");
        Assert.Equal(["c/2"], (await Bounded.CollectAsync(c, 1)).Select(x => x.Kv.ValueString));
    }

    [Fact]
    public async Task LeaseGrant_BelowEtcdMinimumTtl_IsRaisedToTheMinimum()
    {
        // etcd's minimum TTL is 1.5 x election timeout rounded up: 2 s with the default 1 s election timeout.
        var lease = await _store.LeaseGrantAsync(new LeaseGrantRequest(1));
        Assert.Equal(2, lease.TtlSeconds);
    }

    [Fact]
    public async Task Range_AtCompactedRevision_FailsTyped_AndWatchReportsTheCompactRevision()
    {
        var p1 = await _store.PutAsync("/c/k", "1");
        var p2 = await _store.PutAsync("/c/k", "2");
        await _store.CompactAsync(p2.Header.Revision);
        await Assert.ThrowsAsync<CompactedException>(() => _store.RangeAsync(RangeRequest.Single("/c/k", p1.Header.Revision)));
        using var cts = new CancellationTokenSource(Bounded.Bound);
        var ex = await Assert.ThrowsAsync<CompactedException>(async () =>
        {
            await foreach (var _ in _store.WatchAsync(WatchRequest.Single("/c/k", p1.Header.Revision), cts.Token)) { }
        });
        Assert.Equal(p2.Header.Revision, ex.CompactRevision);
    }

    [Fact]
    public async Task Calls_AfterDispose_FailClearly()
    {
        await using var store = EtcdStore.Connect(EtcdStoreOptions.For(_etcd.ClientUrl));
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("/x"));
    }
}
