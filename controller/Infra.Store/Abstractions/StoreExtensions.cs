using System.Text;

namespace Infra.Store;

/// <summary>String-key conveniences over <see cref="IKeyValueStore"/>; they add no semantics.</summary>
public static class StoreExtensions
{
    public static async Task<KeyValue?> GetAsync(this IKeyValueStore store, string key, CancellationToken ct = default)
    {
        var r = await store.RangeAsync(RangeRequest.Single(key), ct).ConfigureAwait(false);
        return r.Kvs.Count == 0 ? null : r.Kvs[0];
    }

    public static async Task<IReadOnlyList<KeyValue>> GetPrefixAsync(this IKeyValueStore store, string prefix, CancellationToken ct = default) =>
        (await store.RangeAsync(RangeRequest.Prefix(prefix), ct).ConfigureAwait(false)).Kvs;

    public static Task<PutResponse> PutAsync(this IKeyValueStore store, string key, string value, long lease = 0, CancellationToken ct = default) =>
        store.PutAsync(PutRequest.Of(key, value, lease), ct);

    public static Task<DeleteRangeResponse> DeleteAsync(this IKeyValueStore store, string key, CancellationToken ct = default) =>
        store.DeleteRangeAsync(DeleteRangeRequest.Single(key), ct);

    /// <summary>Put only if the key does not exist; true when this call created it.</summary>
    public static async Task<bool> CreateAsync(this IKeyValueStore store, string key, string value, long lease = 0, CancellationToken ct = default)
    {
        var r = await store.TxnAsync(new TxnRequest([Compare.Absent(key)], [PutRequest.Of(key, value, lease)]), ct).ConfigureAwait(false);
        return r.Succeeded;
    }

    public static byte[] Utf8(this string s) => Encoding.UTF8.GetBytes(s);
}
