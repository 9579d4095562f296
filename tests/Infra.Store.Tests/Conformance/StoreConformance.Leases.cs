namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    /// <summary>Wait (bounded) until the key is deleted, observed through a watch from <paramref name="from"/>.</summary>
    async Task WaitDeletedAsync(string key, long from)
    {
        using var cts = new CancellationTokenSource(Bound);
        await foreach (var w in Store.WatchAsync(WatchRequest.Single(key, from), cts.Token))
            if (w.Events.Any(e => e.Type == EventType.Delete)) return;
        Assert.Fail($"{key} was not deleted within {Bound}");
    }

    [Fact]
    public async Task Lease_WhenItExpires_DeletesAttachedKeysOnly()
    {
        var lease = await Store.LeaseGrantAsync(new LeaseGrantRequest(2));
        var put = await Store.PutAsync(P + "l/owned", "x", lease.Id);
        await Store.PutAsync(P + "l/free", "y");
        await Harness.ElapseAsync(TimeSpan.FromSeconds(3));
        await WaitDeletedAsync(P + "l/owned", put.Header.Revision + 1);
        Assert.Null(await Store.GetAsync(P + "l/owned"));
        Assert.NotNull(await Store.GetAsync(P + "l/free"));
        Assert.Equal(-1, (await Store.LeaseTimeToLiveAsync(lease.Id)).TtlSeconds);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.LeaseKeepAliveAsync(lease.Id));
    }

    [Fact]
    public async Task Lease_KeptAlive_OutlivesItsTtl()
    {
        var lease = await Store.LeaseGrantAsync(new LeaseGrantRequest(3));
        await Store.PutAsync(P + "ka", "x", lease.Id);
        for (var i = 0; i < 3; i++)
        {
            await Harness.ElapseAsync(TimeSpan.FromSeconds(2));
            var ka = await Store.LeaseKeepAliveAsync(lease.Id);
            Assert.Equal(3, ka.TtlSeconds);
        }
        Assert.NotNull(await Store.GetAsync(P + "ka"));
        var ttl = await Store.LeaseTimeToLiveAsync(lease.Id, withKeys: true);
        Assert.InRange(ttl.TtlSeconds, 1, 3);
        Assert.Equal(P + "ka", System.Text.Encoding.UTF8.GetString(ttl.Keys.Single()));
    }

    [Fact]
    public async Task Lease_Revoke_DeletesKeysInOneRevision()
    {
        var lease = await Store.LeaseGrantAsync(new LeaseGrantRequest(60));
        await Store.PutAsync(P + "rv/a", "1", lease.Id);
        await Store.PutAsync(P + "rv/b", "2", lease.Id);
        var r0 = await RevisionAsync();
        await Store.LeaseRevokeAsync(lease.Id);
        Assert.Empty(await Store.GetPrefixAsync(P + "rv/"));
        Assert.Equal(r0 + 1, await RevisionAsync());
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.LeaseRevokeAsync(lease.Id));
    }

    [Fact]
    public async Task Put_WithUnknownLease_FailsAndWritesNothing()
    {
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.PutAsync(P + "x", "1", lease: 0x5eed_0000_1234));
        Assert.Null(await Store.GetAsync(P + "x"));
    }

    [Fact]
    public async Task Txn_FailingMidway_OnUnknownLease_AppliesNothing()
    {
        var r0 = await RevisionAsync();
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.TxnAsync(new TxnRequest([],
            [PutRequest.Of(P + "first", "1"), PutRequest.Of(P + "second", "2", lease: 0x5eed_0000_4321)])));
        Assert.Null(await Store.GetAsync(P + "first"));
        Assert.Equal(r0, await RevisionAsync());
    }
}
