using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class WatchTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync(bookmark: TimeSpan.FromMilliseconds(200));
    public async Task DisposeAsync() => await s.DisposeAsync();

    static async Task<List<WatchEvent>> TakeAsync(AsyncServerStreamingCall<WatchEvent> call, int count, Func<WatchEvent, bool>? keep = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<WatchEvent>();
        while (events.Count < count && await call.ResponseStream.MoveNext(cts.Token))
            if (keep is null || keep(call.ResponseStream.Current)) events.Add(call.ResponseStream.Current);
        return events;
    }

    static bool NotBookmark(WatchEvent e) => e.Type != EventType.Bookmark;

    [Fact]
    public async Task Watch_FromZero_SendsCurrentStateThenBookmarkThenLiveChanges()
    {
        var t = await TenantAsync(s, "w");
        using var call = s.Changes.Watch(new WatchRequest { Kinds = { ResourceKind.Tenant, ResourceKind.Network } });
        var initial = await TakeAsync(call, 2);
        Assert.Equal(EventType.Created, initial[0].Type);
        Assert.Equal(t.Meta.Id, initial[0].Tenant.Meta.Id);
        Assert.Equal(EventType.Bookmark, initial[1].Type);
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        await s.Networks.UpdateNetworkAsync(new UpdateNetworkRequest { Id = n.Meta.Id, SetLabels = true, Labels = { ["x"] = "y" } });
        await s.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = n.Meta.Id });
        var live = await TakeAsync(call, 3, NotBookmark);
        Assert.Equal([EventType.Created, EventType.Updated, EventType.Deleted], live.Select(e => e.Type));
        Assert.All(live, e => Assert.Equal(n.Meta.Id, e.Network.Meta.Id));
        Assert.Equal("y", live[2].Network.Meta.Labels["x"]);
    }

    [Fact]
    public async Task Watch_ResumesAfterReconnectFromLastRevision_WithoutGapsOrRepeats()
    {
        var t = await TenantAsync(s, "w");
        long last;
        var seen = new List<string>();
        using (var call = s.Changes.Watch(new WatchRequest { StartRevision = t.Meta.Revision, Kinds = { ResourceKind.Network } }))
        {
            await NetworkAsync(s, t.Meta.Id, "n0", "10.0.0.0/24");
            await NetworkAsync(s, t.Meta.Id, "n1", "10.0.1.0/24");
            var first = await TakeAsync(call, 2, NotBookmark);
            seen.AddRange(first.Select(e => e.Network.Meta.Name));
            last = first[^1].Revision;
        }
        // Changes while disconnected.
        await NetworkAsync(s, t.Meta.Id, "n2", "10.0.2.0/24");
        await NetworkAsync(s, t.Meta.Id, "n3", "10.0.3.0/24");
        using (var call = s.Changes.Watch(new WatchRequest { StartRevision = last, Kinds = { ResourceKind.Network } }))
        {
            await NetworkAsync(s, t.Meta.Id, "n4", "10.0.4.0/24");
            seen.AddRange((await TakeAsync(call, 3, NotBookmark)).Select(e => e.Network.Meta.Name));
        }
        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], seen);
    }

    [Fact]
    public async Task Watch_FilteredByTenant_AndBookmarksWhileIdle()
    {
        var a = await TenantAsync(s, "a");
        var b = await TenantAsync(s, "b");
        using var call = s.Changes.Watch(new WatchRequest { StartRevision = b.Meta.Revision, TenantId = a.Meta.Id, Kinds = { ResourceKind.Network } });
        await NetworkAsync(s, b.Meta.Id, "other", "10.0.0.0/24");
        var mine = await NetworkAsync(s, a.Meta.Id, "mine", "10.0.0.0/24");
        var events = await TakeAsync(call, 1, NotBookmark);
        Assert.Equal(mine.Meta.Id, events[0].Network.Meta.Id);
        var bookmark = (await TakeAsync(call, 1, e => e.Type == EventType.Bookmark))[0];
        Assert.True(bookmark.Revision >= mine.Meta.Revision);
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_OutOfRangeTellingToRelist()
    {
        await TenantAsync(s, "a");
        await TenantAsync(s, "b");
        var c = await TenantAsync(s, "c");
        await s.Store.CompactAsync(c.Meta.Revision);
        using var call = s.Changes.Watch(new WatchRequest { StartRevision = 1 });
        var e = await FailsAsync(StatusCode.OutOfRange, () => TakeAsync(call, 1));
        Assert.Contains("list", e.Status.Detail);
    }

    [Fact]
    public async Task Watch_InvalidKind_InvalidArgument()
    {
        using var call = s.Changes.Watch(new WatchRequest { StartRevision = -1, Kinds = { (ResourceKind)99 } });
        var e = await FailsAsync(StatusCode.InvalidArgument, () => TakeAsync(call, 1));
        Assert.True(BadFields(e).Count >= 2, string.Join(",", BadFields(e)));
    }
}
