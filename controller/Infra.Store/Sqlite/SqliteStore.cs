using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Store.Sqlite;

/// <summary>
/// The embedded single-node store: one SQLite file in WAL mode with synchronous=FULL, so a write is
/// on disk (fsync) before its revision is acknowledged. Writes are serialized on one connection
/// behind a semaphore; reads each take a pooled connection of their own and run concurrently under
/// WAL snapshot isolation. Lease deadlines are kept in milliseconds of the injected TimeProvider and
/// reaped by a timer on that same clock, so tests drive expiry by advancing a fake clock.
/// </summary>
public sealed partial class SqliteStore : IKeyValueStore
{
    readonly SqliteStoreOptions _options;
    readonly TimeProvider _time;
    readonly string _connectionString;
    readonly SqliteConnection _writer;
    readonly SemaphoreSlim _writeLock = new(1, 1);
    readonly RevisionSignal _signal = new();
    readonly CancellationTokenSource _disposed = new();
    readonly ITimer _leaseTimer;
    readonly ILogger _log;

    SqliteStore(SqliteStoreOptions options, TimeProvider time, ILogger log)
    {
        _options = options;
        _log = log;
        _time = time;
        var full = Path.GetFullPath(options.Path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        SqliteSchema.Apply(_writer);
        LogOpened(_log, full, SqliteSchema.Revision(_writer, null), SqliteSchema.CompactRevision(_writer, null));
        var interval = options.EffectiveLeaseCheckInterval;
        _leaseTimer = time.CreateTimer(_ => _ = ReapExpiredLeasesAsync(), null, interval, interval);
    }

    /// <summary>Open (creating if needed) the store file; refuses invalid options with every error listed.</summary>
    public static SqliteStore Open(SqliteStoreOptions options, TimeProvider? time = null, ILogger<SqliteStore>? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid store options: " + string.Join("; ", errors), nameof(options));
        var dir = Path.GetDirectoryName(Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        return new SqliteStore(options, time ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
    }

    long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    SqliteConnection OpenReader()
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    /// <summary>Run one write transaction under the write lock; commits and wakes watchers on success.</summary>
    async Task<T> WriteAsync<T>(Func<SqliteWriteTxn, T> body, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        bool wrote;
        T result;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            using var tx = new SqliteWriteTxn(_writer, NowMs);
            result = body(tx);
            tx.Commit();
            wrote = tx.Wrote;
        }
        finally
        {
            _writeLock.Release();
        }
        if (wrote) _signal.Notify();
        return result;
    }

    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken ct = default) =>
        WriteAsync(tx => tx.Put(request), ct);

    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken ct = default) =>
        WriteAsync(tx => tx.Delete(request), ct);

    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken ct = default) =>
        WriteAsync(tx =>
        {
            var ok = request.Compare.All(c => SqliteCompare.Holds(tx, c));
            var ops = ok ? request.Success : request.Failure ?? [];
            var responses = new List<ResponseOp>(ops.Count);
            foreach (var op in ops)
            {
                responses.Add(op switch
                {
                    { Range: { } r } => new ResponseOp(Range: tx.Range(r)),
                    { Put: { } p } => new ResponseOp(Put: tx.Put(p)),
                    { DeleteRange: { } d } => new ResponseOp(DeleteRange: tx.Delete(d)),
                    _ => throw new InvalidStoreRequestException("a transaction op must set exactly one of Range, Put, DeleteRange"),
                });
            }
            return new TxnResponse(new(tx.Revision), ok, responses);
        }, ct);

    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        await using var c = OpenReader();
        using var tx = c.BeginTransaction(deferred: true); // one WAL snapshot for revision + rows
        var current = SqliteSchema.Revision(c, tx);
        List<KeyValue> kvs;
        long count;
        if (request.Revision <= 0 || request.Revision == current)
        {
            kvs = SqliteQueries.RangeHead(c, tx, request.Key, request.RangeEnd, request.Limit, request.KeysOnly, out count, request.MinModRevision);
        }
        else
        {
            if (request.Revision > current) throw new FutureRevisionException(request.Revision, current);
            var compact = SqliteSchema.CompactRevision(c, tx);
            if (request.Revision < compact) throw new CompactedException(request.Revision, compact);
            kvs = SqliteQueries.RangeAt(c, tx, request.Key, request.RangeEnd, request.Revision, request.KeysOnly);
            if (request.MinModRevision > 0) kvs = kvs.FindAll(kv => kv.ModRevision >= request.MinModRevision);
            count = kvs.Count;
            if (request.Limit > 0 && kvs.Count > request.Limit) kvs = kvs.GetRange(0, (int)request.Limit);
        }
        return new RangeResponse(new(current), request.CountOnly ? [] : kvs, kvs.Count < count, count);
    }

    public Task<CompactResponse> CompactAsync(long revision, CancellationToken ct = default) =>
        WriteAsync(tx =>
        {
            var compact = SqliteSchema.CompactRevision(_writer, tx.Tx);
            if (revision <= compact) throw new CompactedException(revision, compact);
            if (revision > tx.BaseRevision) throw new FutureRevisionException(revision, tx.BaseRevision);
            // Keep, for every key, its newest row at or below the compact revision so reads at that
            // revision still work; then drop tombstones strictly below it (rows at the compact revision
            // stay, so a watch from the compact revision itself is still complete).
            SqliteSchema.Exec(_writer, $"""
                DELETE FROM history WHERE rev < {revision} AND EXISTS
                  (SELECT 1 FROM history h2 WHERE h2.key = history.key AND h2.rev > history.rev AND h2.rev <= {revision});
                DELETE FROM history WHERE rev < {revision} AND deleted = 1;
                UPDATE meta SET value = {revision} WHERE name = 'compact_revision';
                """, tx.Tx);
            LogCompacted(_log, revision);
            return new CompactResponse(new(tx.BaseRevision));
        }, ct);

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        await _leaseTimer.DisposeAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed.Cancel();
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
        _signal.Notify();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
