using Google.Protobuf;
using Infra.Store;

namespace Infra.Controller.Model.Store;

public sealed partial class ObjectStore
{
    /// <summary>The object as stored (its meta.revision untouched), or null when absent.</summary>
    public static async Task<T?> ReadAsync<T>(IKeyValueStore store, ObjectKind<T> kind, string id, CancellationToken ct)
        where T : class, IMessage<T>
    {
        var kv = await store.GetAsync(kind.Key(id), ct).ConfigureAwait(false);
        return kv is null ? null : kind.Parser.ParseFrom(kv.Value);
    }

    /// <summary>
    /// Read-modify-write of one object, guarded by its ModRevision so that a concurrent writer (the API,
    /// another replica) is never overwritten: on conflict it re-reads and applies the change again.
    /// <paramref name="change"/> gets a copy of the current object (null when absent) and returns the
    /// object to write, or null to leave the key alone. Returns what the key holds afterwards.
    /// Unlike the API's updates it stamps nothing: agent reports and host bookkeeping are not edits.
    /// </summary>
    public static async Task<T?> ChangeAsync<T>(IKeyValueStore store, ObjectKind<T> kind, string id, Func<T?, T?> change, CancellationToken ct)
        where T : class, IMessage<T>
    {
        var key = kind.Key(id);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
            var current = kv is null ? null : kind.Parser.ParseFrom(kv.Value);
            var next = change(current?.Clone());
            if (next is null || (current is not null && next.Equals(current))) return current;
            var r = await store.TxnAsync(new TxnRequest(
                [Compare.ModRevision(key, CompareResult.Equal, kv?.ModRevision ?? 0)],
                [new PutRequest(Keys.Of(key), next.ToByteArray())]), ct).ConfigureAwait(false);
            if (r.Succeeded) return next;
        }
        throw new InvalidOperationException($"updating {key} kept conflicting with other writers ({MaxAttempts} attempts); retry, and look for a writer looping on it");
    }
}
