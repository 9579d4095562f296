using Google.Protobuf;
using Infra.Store;

namespace Infra.Controller.Southbound.Cluster;

/// <summary>
/// Read-modify-write of one protobuf object, guarded by its ModRevision so that a concurrent writer
/// (the API, another replica) is never overwritten: on conflict we re-read and apply the change again.
/// </summary>
public static class ProtoStore
{
    public const int MaxAttempts = 32;

    public static async Task<T?> GetAsync<T>(IKeyValueStore store, string key, MessageParser<T> parser, CancellationToken ct)
        where T : IMessage<T>
    {
        var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
        return kv is null ? default : parser.ParseFrom(kv.Value);
    }

    /// <summary>
    /// <paramref name="change"/> gets a copy of the current object (null when absent) and returns the
    /// object to write, or null to leave the key alone. Returns what the key holds afterwards.
    /// </summary>
    public static async Task<T?> UpdateAsync<T>(IKeyValueStore store, string key, MessageParser<T> parser, Func<T?, T?> change, CancellationToken ct)
        where T : class, IMessage<T>
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
            var current = kv is null ? null : parser.ParseFrom(kv.Value);
            var next = change(current?.Clone());
            if (next is null || (current is not null && next.Equals(current))) return current;
            var r = await store.TxnAsync(new TxnRequest(
                [Compare.ModRevision(key, CompareResult.Equal, kv?.ModRevision ?? 0)],
                [new PutRequest(Keys.Of(key), next.ToByteArray())]), ct).ConfigureAwait(false);
            if (r.Succeeded) return next;
        }
        throw new InvalidOperationException($"updating {key} kept conflicting with other writers ({MaxAttempts} attempts)");
    }
}
