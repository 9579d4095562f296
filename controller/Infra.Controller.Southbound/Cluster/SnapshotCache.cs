using Infra.Store;

namespace Infra.Controller.Southbound.Cluster;

/// <summary>
/// One decoded snapshot shared by every session of a replica. After a change, every connected
/// host recomputes at about the same moment; without sharing, each would read and decode the whole
/// cluster. A cheap count-only Range tells the current revision; only when it moved is the snapshot
/// read again, once, by whichever session gets there first.
/// </summary>
public sealed class SnapshotCache(IKeyValueStore store)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    ClusterSnapshot? _current;

    public async Task<ClusterSnapshot> GetAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var head = await store.RangeAsync(new RangeRequest(Keys.Of(StoreLayout.Root), Keys.PrefixEnd(StoreLayout.Root), CountOnly: true), ct).ConfigureAwait(false);
            // The revision is global: a write outside /infra/v1/ also moves it, which only costs a reload.
            if (_current is { } c && c.Revision == head.Header.Revision) return c;
            _current = await ClusterSnapshot.LoadAsync(store, ct).ConfigureAwait(false);
            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }
}
