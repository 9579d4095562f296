namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    [Fact]
    public async Task Put_EachWriteAdvancesGlobalRevision_AndKeyVersion()
    {
        var r0 = await RevisionAsync();
        var p1 = await Store.PutAsync(P + "a", "1");
        var p2 = await Store.PutAsync(P + "a", "2");
        Assert.Equal(r0 + 1, p1.Header.Revision);
        Assert.Equal(r0 + 2, p2.Header.Revision);
        var kv = await Store.GetAsync(P + "a");
        Assert.NotNull(kv);
        Assert.Equal("2", kv.ValueString);
        Assert.Equal(p1.Header.Revision, kv.CreateRevision);
        Assert.Equal(p2.Header.Revision, kv.ModRevision);
        Assert.Equal(2, kv.Version);
    }

    [Fact]
    public async Task Put_WithPrevKv_ReturnsOldValue()
    {
        await Store.PutAsync(P + "a", "old");
        var r = await Store.PutAsync(new PutRequest(Keys.Of(P + "a"), "new".Utf8(), PrevKv: true));
        Assert.Equal("old", r.PrevKv?.ValueString);
    }

    [Fact]
    public async Task Delete_ThenRecreate_ResetsCreateRevisionAndVersion()
    {
        await Store.PutAsync(P + "a", "1");
        await Store.PutAsync(P + "a", "2");
        var d = await Store.DeleteRangeAsync(new DeleteRangeRequest(Keys.Of(P + "a"), PrevKv: true));
        Assert.Equal(1, d.Deleted);
        Assert.Equal("2", d.PrevKvs[0].ValueString);
        Assert.Null(await Store.GetAsync(P + "a"));
        var again = await Store.PutAsync(P + "a", "3");
        var kv = await Store.GetAsync(P + "a");
        Assert.Equal(again.Header.Revision, kv!.CreateRevision);
        Assert.Equal(1, kv.Version);
    }

    [Fact]
    public async Task Delete_OfMissingKey_DoesNotAdvanceRevision()
    {
        var r0 = await RevisionAsync();
        var d = await Store.DeleteAsync(P + "missing");
        Assert.Equal(0, d.Deleted);
        Assert.Equal(r0, await RevisionAsync());
    }

    [Fact]
    public async Task Range_Prefix_IsSortedByKey_WithLimitMoreAndCount()
    {
        foreach (var k in new[] { "c", "a", "b", "d" }) await Store.PutAsync(P + "x/" + k, k);
        await Store.PutAsync(P + "y", "outside");
        var all = await Store.RangeAsync(RangeRequest.Prefix(P + "x/"));
        Assert.Equal(["a", "b", "c", "d"], all.Kvs.Select(kv => kv.ValueString));
        Assert.False(all.More);
        var limited = await Store.RangeAsync(RangeRequest.Prefix(P + "x/", limit: 2));
        Assert.Equal(["a", "b"], limited.Kvs.Select(kv => kv.ValueString));
        Assert.True(limited.More);
        Assert.Equal(4, limited.Count);
    }

    [Fact]
    public async Task Range_WithExplicitEnd_IsHalfOpen()
    {
        foreach (var k in new[] { "a", "b", "c" }) await Store.PutAsync(P + k, k);
        var r = await Store.RangeAsync(new RangeRequest(Keys.Of(P + "a"), Keys.Of(P + "c")));
        Assert.Equal(["a", "b"], r.Kvs.Select(kv => kv.ValueString));
    }

    [Fact]
    public async Task DeleteRange_Prefix_DeletesAllInOneRevision()
    {
        foreach (var k in new[] { "a", "b", "c" }) await Store.PutAsync(P + "d/" + k, k);
        var r0 = await RevisionAsync();
        var d = await Store.DeleteRangeAsync(DeleteRangeRequest.Prefix(P + "d/"));
        Assert.Equal(3, d.Deleted);
        Assert.Equal(r0 + 1, d.Header.Revision);
        Assert.Empty(await Store.GetPrefixAsync(P + "d/"));
    }

    [Fact]
    public async Task Range_AtPastRevision_SeesHistory()
    {
        var p1 = await Store.PutAsync(P + "a", "1");
        await Store.PutAsync(P + "a", "2");
        await Store.PutAsync(P + "b", "b");
        await Store.DeleteAsync(P + "a");
        var then = await Store.RangeAsync(RangeRequest.Prefix(P, revision: p1.Header.Revision));
        Assert.Equal(["1"], then.Kvs.Select(kv => kv.ValueString));
        Assert.Equal(p1.Header.Revision, then.Kvs[0].ModRevision);
        var now = await Store.RangeAsync(RangeRequest.Prefix(P));
        Assert.Equal(["b"], now.Kvs.Select(kv => kv.ValueString));
    }

    [Fact]
    public async Task Range_AtFutureRevision_Fails()
    {
        var r = await RevisionAsync();
        await Assert.ThrowsAsync<FutureRevisionException>(() => Store.RangeAsync(RangeRequest.Single(P + "a", r + 100)));
    }

    [Fact]
    public async Task Compact_RemovesOldRevisions_ButKeepsStateAtCompactRevision()
    {
        var p1 = await Store.PutAsync(P + "a", "1");
        var p2 = await Store.PutAsync(P + "a", "2");
        await Store.PutAsync(P + "b", "b");
        await Store.CompactAsync(p2.Header.Revision);
        await Assert.ThrowsAsync<CompactedException>(() => Store.RangeAsync(RangeRequest.Single(P + "a", p1.Header.Revision)));
        var at = await Store.RangeAsync(RangeRequest.Single(P + "a", p2.Header.Revision));
        Assert.Equal("2", at.Kvs.Single().ValueString);
        Assert.Equal("2", (await Store.GetAsync(P + "a"))!.ValueString);
        await Assert.ThrowsAsync<CompactedException>(() => Store.CompactAsync(p1.Header.Revision));
    }

    [Fact]
    public async Task Reopen_KeepsKeysRevisionAndHistory()
    {
        var p = await Store.PutAsync(P + "a", "1");
        await Store.PutAsync(P + "a", "2");
        await Store.DisposeAsync();
        Store = await Harness.OpenAsync();
        Assert.Equal("2", (await Store.GetAsync(P + "a"))!.ValueString);
        Assert.Equal(p.Header.Revision + 1, await RevisionAsync());
        var old = await Store.RangeAsync(RangeRequest.Single(P + "a", p.Header.Revision));
        Assert.Equal("1", old.Kvs.Single().ValueString);
    }

    [Fact]
    public async Task Range_WithMinModRevision_ReturnsOnlyKeysChangedSince()
    {
        await Store.PutAsync(P + "m/a", "1");
        var since = (await Store.PutAsync(P + "m/b", "1")).Header.Revision + 1;
        await Store.PutAsync(P + "m/c", "1");
        await Store.PutAsync(P + "m/a", "2");
        var r = await Store.RangeAsync(new RangeRequest(Keys.Of(P + "m/"), Keys.PrefixEnd(P + "m/"), MinModRevision: since));
        Assert.Equal([P + "m/a", P + "m/c"], r.Kvs.Select(kv => kv.KeyString));
    }
}
