namespace Infra.Store;

public enum EventType { Put, Delete }

/// <summary>
/// A change at Kv.ModRevision. For Delete, Kv holds the key with ModRevision = the deleting revision
/// and an empty value (as etcd sends it). PrevKv is the key's state before the change when the watch
/// asked for it and history still has it.
/// </summary>
public sealed record WatchEvent(EventType Type, KeyValue Kv, KeyValue? PrevKv);

/// <summary>
/// Watch [Key, RangeEnd) from StartRevision (0 = only changes after now). Events arrive in revision
/// order, grouped by revision (all events of one transaction in one response). To resume after a
/// disconnect, watch again from the last seen revision + 1: every later event is delivered, or the
/// watch fails with <see cref="CompactedException"/> if compaction removed part of that history.
/// </summary>
public sealed record WatchRequest(byte[] Key, byte[]? RangeEnd = null, long StartRevision = 0, bool PrevKv = false)
{
    public static WatchRequest Prefix(string prefix, long startRevision = 0, bool prevKv = false) =>
        new(Keys.Of(prefix), Keys.PrefixEnd(prefix), startRevision, prevKv);
    public static WatchRequest Single(string key, long startRevision = 0, bool prevKv = false) =>
        new(Keys.Of(key), null, startRevision, prevKv);
}

public sealed record WatchResponse(ResponseHeader Header, IReadOnlyList<WatchEvent> Events);
