using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Rpc = Infra.Store.Etcd.Rpc;

namespace Infra.Store.Etcd;

/// <summary>
/// Every watch of this client multiplexed on one bidi Watch stream. Each watcher gets a client-chosen
/// watch_id (etcd 3.4+), so responses route by id with no create-ordering bookkeeping. A watcher
/// remembers the next revision it needs (after its last delivered event, or after the progress
/// notifications etcd sends while idle); when the stream breaks (member killed, restarted, network)
/// the loop reopens it, on the next member if this one is unavailable, and re-creates every watcher
/// from that revision, so consumers see each event exactly once. A start revision below etcd's
/// compaction ends that watcher with <see cref="CompactedException"/>.
/// </summary>
sealed partial class EtcdWatchStream(EtcdEndpoints endpoints, EtcdStoreOptions options, ILogger log, CancellationToken disposed) : IAsyncDisposable
{
    readonly ConcurrentDictionary<long, Watcher> _watchers = new();
    // Intents, resolved against the current connection when sent: >0 create that watcher, <0 cancel it.
    readonly Channel<long> _intents = Channel.CreateUnbounded<long>(new() { SingleReader = true });
    readonly object _gate = new();
    Task? _loop;
    long _lastId;

    sealed class Watcher(long id, WatchRequest request)
    {
        public long Id { get; } = id;
        public WatchRequest Request { get; } = request;
        /// <summary>Where to (re)start: 0 until etcd confirmed a "from now" watch. Read loop writes, write side reads.</summary>
        public long NextRevision;
        public Channel<WatchResponse> Events { get; } = Channel.CreateUnbounded<WatchResponse>(new() { SingleWriter = true });
    }

    public async IAsyncEnumerable<WatchResponse> WatchAsync(WatchRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var w = new Watcher(Interlocked.Increment(ref _lastId), request) { NextRevision = request.StartRevision };
        _watchers[w.Id] = w;
        _intents.Writer.TryWrite(w.Id);
        EnsureRunning();
        try
        {
            while (await NextAsync(w, ct).ConfigureAwait(false) is { } response)
                yield return response;
        }
        finally
        {
            if (_watchers.TryRemove(w.Id, out _)) _intents.Writer.TryWrite(-w.Id);
        }
    }

    /// <summary>The next response; null when the caller cancelled or the store closed; throws the watcher's failure.</summary>
    static async Task<WatchResponse?> NextAsync(Watcher w, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if (w.Events.Reader.TryRead(out var r)) return r;
                if (!await w.Events.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return null;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null;
        }
    }

    void EnsureRunning()
    {
        lock (_gate) _loop ??= Task.Run(RunAsync);
    }

    async Task RunAsync()
    {
        var delay = options.EffectiveReconnectDelay;
        while (!disposed.IsCancellationRequested)
        {
            // Idle with nothing to watch: wait for the next watcher instead of reconnecting.
            if (_watchers.IsEmpty && !await WaitForIntentAsync().ConfigureAwait(false)) return;
            var (channel, index) = endpoints.Current;
            var healthy = false;
            try
            {
                healthy = await RunConnectionAsync(channel).ConfigureAwait(false);
                LogWatchStreamBroken(log, _watchers.Count, new RpcException(new Status(StatusCode.Unavailable, "etcd ended the watch stream")));
            }
            catch (Exception e) when (!disposed.IsCancellationRequested)
            {
                if (e is RpcException { StatusCode: StatusCode.Unavailable }) endpoints.Failed(index);
                if (e is RpcException r && EtcdAuth.IsInvalidToken(r)) endpoints.Auth?.Invalidate();
                LogWatchStreamBroken(log, _watchers.Count, e);
            }
            catch (Exception) { return; }
            if (healthy) delay = options.EffectiveReconnectDelay;
            try { await Task.Delay(delay, disposed).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.EffectiveReconnectDelay.Ticks * 8));
        }
    }

    async Task<bool> WaitForIntentAsync()
    {
        try { return await _intents.Reader.WaitToReadAsync(disposed).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>One stream's life; returns whether it delivered anything (resets the backoff).</summary>
    async Task<bool> RunConnectionAsync(GrpcChannel channel)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(disposed);
        using var call = new Rpc.Watch.WatchClient(channel).Watch(new CallOptions(cancellationToken: cts.Token));
        var created = new HashSet<long>();
        var writer = WriteLoopAsync(call, created, cts);
        var delivered = false;
        try
        {
            while (await call.ResponseStream.MoveNext(cts.Token).ConfigureAwait(false))
            {
                delivered = true;
                Dispatch(call.ResponseStream.Current);
            }
            return delivered;
        }
        finally
        {
            cts.Cancel();
            try { await writer.ConfigureAwait(false); } catch { /* the read side reports */ }
        }
    }

    async Task WriteLoopAsync(AsyncDuplexStreamingCall<Rpc.WatchRequest, Rpc.WatchResponse> call, HashSet<long> created, CancellationTokenSource cts)
    {
        try
        {
            // A new stream starts by re-creating every live watcher from where it left off.
            foreach (var w in _watchers.Values.OrderBy(w => w.Id))
                await SendCreateAsync(call, w, created, cts.Token).ConfigureAwait(false);
            await foreach (var intent in _intents.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                if (intent > 0 && _watchers.TryGetValue(intent, out var w))
                    await SendCreateAsync(call, w, created, cts.Token).ConfigureAwait(false);
                else if (intent < 0 && created.Remove(-intent))
                    await call.RequestStream.WriteAsync(new Rpc.WatchRequest { CancelRequest = new Rpc.WatchCancelRequest { WatchId = -intent } }, cts.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            cts.Cancel(); // the read loop ends and the stream is reopened
        }
    }

    static async Task SendCreateAsync(AsyncDuplexStreamingCall<Rpc.WatchRequest, Rpc.WatchResponse> call, Watcher w, HashSet<long> created, CancellationToken ct)
    {
        if (!created.Add(w.Id)) return;
        var create = EtcdConvert.ToRpc(w.Request, w.Id, Volatile.Read(ref w.NextRevision));
        await call.RequestStream.WriteAsync(new Rpc.WatchRequest { CreateRequest = create }, ct).ConfigureAwait(false);
    }

    void Dispatch(Rpc.WatchResponse r)
    {
        if (!_watchers.TryGetValue(r.WatchId, out var w)) return; // cancelled meanwhile, or a stream-wide progress reply (-1)
        var revision = r.Header?.Revision ?? 0;
        if (r.CompactRevision != 0)
        {
            Finish(w, new CompactedException(Volatile.Read(ref w.NextRevision), r.CompactRevision));
            return;
        }
        if (r.Canceled)
        {
            LogWatchCancelledByServer(log, r.WatchId, r.CancelReason);
            Finish(w, new EtcdRequestException(StatusCode.Cancelled, $"etcd cancelled the watch: {r.CancelReason}"));
            return;
        }
        if (r.Events.Count == 0)
        {
            // Created (for a "from now" watch: now = header revision) or a progress notification:
            // every later event of this watcher has a higher revision, so resume after it.
            if (r.Created && Volatile.Read(ref w.NextRevision) != 0) return;
            Volatile.Write(ref w.NextRevision, Math.Max(Volatile.Read(ref w.NextRevision), revision + 1));
            return;
        }
        // etcd packs several revisions into one response while a watcher catches up with history;
        // the interface promises one response per revision (a txn's events together), so split.
        foreach (var response in EtcdConvert.ByRevision(r.Events))
        {
            Volatile.Write(ref w.NextRevision, response.Header.Revision + 1);
            w.Events.Writer.TryWrite(response);
        }
    }

    void Finish(Watcher w, Exception failure)
    {
        if (_watchers.TryRemove(w.Id, out _)) _intents.Writer.TryWrite(-w.Id);
        w.Events.Writer.TryComplete(failure);
    }

    public async ValueTask DisposeAsync()
    {
        _intents.Writer.TryComplete();
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
        foreach (var w in _watchers.Values) w.Events.Writer.TryComplete();
        _watchers.Clear();
    }
}
