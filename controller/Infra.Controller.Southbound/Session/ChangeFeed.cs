using Infra.Store;
using Infra.V1;
using Host = Infra.V1.Host;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// One store watch over <see cref="StoreLayout.Root"/> (and one each over <see cref="StoreLayout.PurgeRoot"/> and <see cref="StoreLayout.VmTombstoneRoot"/>) shared by every agent session of this replica.
/// It does not say what changed: each subscriber holds a one-slot "dirty" flag, so a burst of changes
/// while a session is busy collapses into a single recompute from the current state (the builder is
/// a full recompute, which is correct whatever the changes were). Changes that cannot affect any
/// host's desired state (heartbeats, applied versions, status written back by agents to hosts) are
/// filtered here so a fleet's heartbeats do not make every session recompute.
/// </summary>
public sealed partial class ChangeFeed(IKeyValueStore store, ILogger<ChangeFeed> log) : IAsyncDisposable
{
    readonly object _gate = new();
    readonly List<DirtyFlag> _subscribers = [];
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    /// <summary>A dirty flag that is set (once) whenever relevant keys change; set initially too.</summary>
    public Subscription Subscribe()
    {
        var ch = new DirtyFlag();
        ch.Set();
        lock (_gate)
        {
            _subscribers.Add(ch);
            _loop ??= Task.WhenAll(
                Task.Run(() => RunAsync(StoreLayout.Root, Relevant, _stop.Token)),
                // Purge tombstones (a volume deleted, or purged by its host) change that host's volumes.
                Task.Run(() => RunAsync(StoreLayout.PurgeRoot, e => StoreLayout.TryParsePurge(e.Kv.KeyString, out _, out _), _stop.Token)),
                // VM tombstones (an instance deleted or moved away, or removed by its host) change that host's VMs.
                Task.Run(() => RunAsync(StoreLayout.VmTombstoneRoot, e => StoreLayout.TryParseVmTombstone(e.Kv.KeyString, out _, out _), _stop.Token)));
        }
        return new Subscription(this, ch);
    }

    /// <summary>Mark every session dirty (e.g. after the failure detector moved VMs).</summary>
    public void SignalAll()
    {
        lock (_gate) foreach (var s in _subscribers) s.Set();
    }

    async Task RunAsync(string prefix, Func<Infra.Store.WatchEvent, bool> relevant, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var head = await store.RangeAsync(new RangeRequest(Keys.Of(prefix), Keys.PrefixEnd(prefix), CountOnly: true), ct).ConfigureAwait(false);
                // Changes between a session's own snapshot and this revision are covered by its initial flag.
                SignalAll();
                await foreach (var w in store.WatchAsync(Infra.Store.WatchRequest.Prefix(prefix, head.Header.Revision + 1, prevKv: true), ct).ConfigureAwait(false))
                    if (w.Events.Any(relevant)) SignalAll();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Compacted or the store hiccuped: resync from the current revision (everyone recomputes).
                LogWatchRestarted(log, e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    internal static bool Relevant(Infra.Store.WatchEvent e)
    {
        if (!StoreLayout.TryParse(e.Kv.KeyString, out var kind, out _)) return false;
        // Networks matter: their MTU, DNS servers and routes reach guests through config drives and DHCP.
        if (kind is Segments.Snapshots or Segments.Images) return false;
        // The API's index keys (names, refs, claims, ipam, ...) share the root but never change desired state.
        // Key pairs are immutable and reach a host only with an instance that names one.
        if (kind is Segments.KeyPairs || (kind != Segments.Reboots && !Kinds.BySegment.ContainsKey(kind))) return false;
        // Creations and deletions always matter; for updates, compare only what desired state reads.
        if (e.Type == Infra.Store.EventType.Delete || e.PrevKv is null) return true;
        try
        {
            return kind switch
            {
                Segments.Hosts => DesiredView.Of(Host.Parser.ParseFrom(e.Kv.Value)) != DesiredView.Of(Host.Parser.ParseFrom(e.PrevKv.Value)),
                Segments.Instances => !DesiredView.Of(Instance.Parser.ParseFrom(e.Kv.Value)).Equals(DesiredView.Of(Instance.Parser.ParseFrom(e.PrevKv.Value))),
                Segments.Ports => !DesiredView.Of(Port.Parser.ParseFrom(e.Kv.Value)).Equals(DesiredView.Of(Port.Parser.ParseFrom(e.PrevKv.Value))),
                Segments.Volumes => !DesiredView.Of(Volume.Parser.ParseFrom(e.Kv.Value)).Equals(DesiredView.Of(Volume.Parser.ParseFrom(e.PrevKv.Value))),
                _ => true,
            };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException) { return true; }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
    }

    /// <summary>A session's dirty flag; dispose to stop receiving.</summary>
    public sealed class Subscription(ChangeFeed feed, DirtyFlag flag) : IDisposable
    {
        /// <summary>Waits until the flag is set, then clears it.</summary>
        public Task WaitAsync(CancellationToken ct) => flag.WaitAsync(ct);

        /// <summary>Clears a flag set meanwhile (after a coalescing pause).</summary>
        public void Drain() => flag.Clear();

        public void Dispose()
        {
            lock (feed._gate) feed._subscribers.Remove(flag);
        }
    }
}
