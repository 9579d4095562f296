using System.Runtime.CompilerServices;

namespace Infra.Store.Sqlite;

public sealed partial class SqliteStore
{
    // Revisions replayed per database read; bounds memory for a watcher far behind.
    const long WatchBatchRevisions = 1000;

    public async IAsyncEnumerable<WatchResponse> WatchAsync(WatchRequest request, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
        var token = linked.Token;
        long next = request.StartRevision;
        if (next <= 0)
        {
            await using var c0 = OpenReader();
            next = SqliteSchema.Revision(c0, null) + 1;
        }
        while (!token.IsCancellationRequested)
        {
            var wake = _signal.Current; // before reading, so a commit during the read still wakes us
            List<WatchResponse> batch;
            long upper;
            await using (var c = OpenReader())
            using (var tx = c.BeginTransaction(deferred: true))
            {
                var compact = SqliteSchema.CompactRevision(c, tx);
                if (next < compact) throw new CompactedException(next, compact);
                var current = SqliteSchema.Revision(c, tx);
                upper = Math.Min(current, next + WatchBatchRevisions - 1);
                batch = upper >= next ? ReadBatch(c, tx, request, next, upper) : [];
            }
            foreach (var response in batch)
            {
                yield return response;
            }
            if (upper >= next)
            {
                next = upper + 1;
                continue;
            }
            if (!await WaitAsync(wake, token).ConfigureAwait(false)) yield break;
        }
    }

    static List<WatchResponse> ReadBatch(Microsoft.Data.Sqlite.SqliteConnection c, Microsoft.Data.Sqlite.SqliteTransaction tx,
        WatchRequest request, long from, long to)
    {
        var rows = SqliteQueries.Events(c, tx, request.Key, request.RangeEnd, from, to);
        var responses = new List<WatchResponse>();
        for (var i = 0; i < rows.Count;)
        {
            var rev = rows[i].Rev;
            var events = new List<WatchEvent>();
            for (; i < rows.Count && rows[i].Rev == rev; i++)
            {
                var (_, deleted, kv) = rows[i];
                var prev = request.PrevKv ? SqliteQueries.Before(c, tx, kv.Key, rev) : null;
                events.Add(deleted
                    ? new WatchEvent(EventType.Delete, new KeyValue(kv.Key, [], 0, rev, 0, 0), prev)
                    : new WatchEvent(EventType.Put, kv, prev));
            }
            responses.Add(new WatchResponse(new(rev), events));
        }
        return responses;
    }

    /// <summary>Wait for a commit or the poll interval; false when cancelled.</summary>
    async Task<bool> WaitAsync(Task wake, CancellationToken token)
    {
        try
        {
            await wake.WaitAsync(_options.EffectiveWatchPollInterval, token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return !token.IsCancellationRequested;
    }
}
