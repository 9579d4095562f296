namespace Infra.Store.Etcd.Tests.Support;

static class Bounded
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Collect events from a watch until <paramref name="count"/> have arrived, failing after a bound.</summary>
    public static async Task<List<WatchEvent>> CollectAsync(IAsyncEnumerator<WatchResponse> e, int count)
    {
        var events = new List<WatchEvent>();
        while (events.Count < count)
        {
            Assert.True(await e.MoveNextAsync().AsTask().WaitAsync(Bound), "watch ended unexpectedly");
            events.AddRange(e.Current.Events);
        }
        return events;
    }
}
