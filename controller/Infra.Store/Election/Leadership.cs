namespace Infra.Store.Election;

/// <summary>
/// A campaign's lease and key. Keeps the lease alive every TTL/3 on the injected clock; fires
/// <see cref="Lost"/> when the lease is found gone or the key is deleted. Dispose (or Resign)
/// revokes the lease so the next candidate takes over immediately instead of after the TTL.
/// </summary>
public sealed class Leadership : IAsyncDisposable
{
    readonly IKeyValueStore _store;
    readonly TimeSpan _ttl;
    readonly TimeProvider _time;
    readonly CancellationTokenSource _lost = new();
    readonly CancellationTokenSource _stop = new();
    Task _keepAlive = Task.CompletedTask;
    Task _watchKey = Task.CompletedTask;
    int _disposed;

    internal Leadership(IKeyValueStore store, string key, long leaseId, TimeSpan ttl, TimeProvider time)
    {
        _store = store;
        Key = key;
        LeaseId = leaseId;
        _ttl = ttl;
        _time = time;
    }

    public string Key { get; }
    public long LeaseId { get; }

    /// <summary>Cancelled when leadership (or candidacy) is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    internal void Start(long createRevision)
    {
        _keepAlive = KeepAliveLoopAsync();
        _watchKey = WatchKeyAsync(createRevision);
    }

    async Task KeepAliveLoopAsync()
    {
        var interval = _ttl / 3;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, _stop.Token).ConfigureAwait(false);
                await _store.LeaseKeepAliveAsync(LeaseId, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            // Lease gone or store unreachable for longer than we can vouch for: stop leading.
            _lost.Cancel();
        }
    }

    async Task WatchKeyAsync(long fromRevision)
    {
        try
        {
            await foreach (var w in _store.WatchAsync(WatchRequest.Single(Key, fromRevision), _stop.Token).ConfigureAwait(false))
            {
                if (w.Events.Any(e => e.Type == EventType.Delete))
                {
                    _lost.Cancel();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            _lost.Cancel();
        }
    }

    /// <summary>Give up leadership now (revokes the lease; the key disappears with it).</summary>
    public Task ResignAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        await Task.WhenAll(_keepAlive, _watchKey).ConfigureAwait(false);
        try
        {
            await _store.LeaseRevokeAsync(LeaseId).ConfigureAwait(false);
        }
        catch (LeaseNotFoundException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _lost.Cancel();
    }
}
