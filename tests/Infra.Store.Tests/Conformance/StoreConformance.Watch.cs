namespace Infra.Store.Tests.Conformance;

public abstract partial class StoreConformance
{
    [Fact]
    public async Task Watch_FromRevision_DeliversPutsAndDeletesInOrder_WithPrevKv()
    {
        var start = (await Store.PutAsync(P + "w/a", "1")).Header.Revision;
        await Store.PutAsync(P + "w/a", "2");
        await Store.PutAsync(P + "other", "ignored");
        await Store.DeleteAsync(P + "w/a");
        using var cts = new CancellationTokenSource(Bound);
        await using var e = Store.WatchAsync(WatchRequest.Prefix(P + "w/", start, prevKv: true), cts.Token).GetAsyncEnumerator();
        var events = await CollectAsync(e, 3);
        Assert.Equal([EventType.Put, EventType.Put, EventType.Delete], events.Select(x => x.Type));
        Assert.Equal(["1", "2", ""], events.Select(x => x.Kv.ValueString));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Kv.ModRevision < p.Second.Kv.ModRevision));
        Assert.Null(events[0].PrevKv);
        Assert.Equal("1", events[1].PrevKv?.ValueString);
        Assert.Equal("2", events[2].PrevKv?.ValueString);
        // Live events after the replay.
        await Store.PutAsync(P + "w/b", "live");
        var live = await CollectAsync(e, 1);
        Assert.Equal("live", live.Single().Kv.ValueString);
    }

    [Fact]
    public async Task Watch_TxnEvents_ArriveTogetherInOneResponse()
    {
        var from = await RevisionAsync() + 1;
        await Store.TxnAsync(new TxnRequest([], [PutRequest.Of(P + "t/a", "1"), PutRequest.Of(P + "t/b", "2")]));
        using var cts = new CancellationTokenSource(Bound);
        await using var e = Store.WatchAsync(WatchRequest.Prefix(P + "t/", from), cts.Token).GetAsyncEnumerator();
        var first = await NextAsync(e);
        Assert.Equal(2, first.Events.Count);
        Assert.Equal(from, first.Header.Revision);
    }

    [Fact]
    public async Task Watch_ResumedFromLastRevisionPlusOne_SeesEveryLaterEventExactlyOnce()
    {
        var from = await RevisionAsync() + 1;
        for (var i = 0; i < 5; i++) await Store.PutAsync(P + "r/" + i, i.ToString());
        long last;
        var seen = new List<string>();
        using (var cts = new CancellationTokenSource(Bound))
        {
            await using var e = Store.WatchAsync(WatchRequest.Prefix(P + "r/", from), cts.Token).GetAsyncEnumerator();
            var got = await CollectAsync(e, 3);
            seen.AddRange(got.Select(x => x.Kv.ValueString));
            last = got[^1].Kv.ModRevision;
        } // disconnect
        for (var i = 5; i < 10; i++) await Store.PutAsync(P + "r/" + i, i.ToString());
        using (var cts = new CancellationTokenSource(Bound))
        {
            await using var e = Store.WatchAsync(WatchRequest.Prefix(P + "r/", last + 1), cts.Token).GetAsyncEnumerator();
            seen.AddRange((await CollectAsync(e, 7)).Select(x => x.Kv.ValueString));
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), seen);
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_FailsWithCompacted()
    {
        var p1 = await Store.PutAsync(P + "c", "1");
        var p2 = await Store.PutAsync(P + "c", "2");
        await Store.CompactAsync(p2.Header.Revision);
        using var cts = new CancellationTokenSource(Bound);
        var ex = await Assert.ThrowsAsync<CompactedException>(async () =>
        {
            await foreach (var _ in Store.WatchAsync(WatchRequest.Single(P + "c", p1.Header.Revision), cts.Token)) { }
        });
        Assert.Equal(p2.Header.Revision, ex.CompactRevision);
    }

    [Fact]
    public async Task Watch_FromZero_SeesOnlyLaterChanges()
    {
        await Store.PutAsync(P + "z", "before");
        using var cts = new CancellationTokenSource(Bound);
        await using var e = Store.WatchAsync(WatchRequest.Single(P + "z"), cts.Token).GetAsyncEnumerator();
        var pending = e.MoveNextAsync().AsTask();
        // A backend may establish the watch asynchronously: keep writing (bounded) until one lands.
        for (var i = 0; i < 50 && !pending.IsCompleted; i++)
        {
            await Store.PutAsync(P + "z", "after" + i);
            await Task.WhenAny(pending, Task.Delay(100));
        }
        Assert.True(await pending.WaitAsync(Bound));
        Assert.StartsWith("after", e.Current.Events[0].Kv.ValueString);
    }

    [Fact]
    public async Task Watch_WhenCancelled_EndsWithoutError()
    {
        using var cts = new CancellationTokenSource();
        var task = Task.Run(async () => { await foreach (var _ in Store.WatchAsync(WatchRequest.Prefix(P), cts.Token)) { } });
        cts.Cancel();
        await task.WaitAsync(Bound);
    }
}
