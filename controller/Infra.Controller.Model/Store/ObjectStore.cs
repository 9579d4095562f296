using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Store;

namespace Infra.Controller.Model.Store;

public sealed record Stored<T>(T Value, long ModRevision);

/// <summary>
/// Typed objects over <see cref="IKeyValueStore"/>, keyed by their <see cref="ObjectKind{T}"/>: the one
/// store of the controller's objects. The stored message's meta.revision is not trusted: on every read
/// it is replaced by the key's mod revision, which is what expected_revision compares. The API's
/// create/update transactions (names, request ids, expected revisions) are built on this in the API
/// project; the southbound side's guarded read-modify-write is in ObjectStore.Changes.cs.
/// </summary>
public sealed partial class ObjectStore(IKeyValueStore kv, TimeProvider time)
{
    /// <summary>How often a guarded write re-reads after losing a race before it gives up.</summary>
    public const int MaxAttempts = 32;

    public IKeyValueStore Kv => kv;
    public Timestamp Now() => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    public async Task<Stored<T>?> GetAsync<T>(ObjectKind<T> kind, string id, CancellationToken ct) where T : IMessage<T>
    {
        var got = await kv.GetAsync(kind.Key(id), ct).ConfigureAwait(false);
        return got is null ? null : new Stored<T>(Decode(kind, got), got.ModRevision);
    }

    public async Task<List<T>> AllAsync<T>(ObjectKind<T> kind, CancellationToken ct) where T : IMessage<T>
    {
        var kvs = await kv.GetPrefixAsync(kind.Prefix, ct).ConfigureAwait(false);
        return kvs.Select(x => Decode(kind, x)).ToList();
    }

    public static T Decode<T>(ObjectKind<T> kind, KeyValue kv) where T : IMessage<T>
    {
        var value = kind.Parser.ParseFrom(kv.Value);
        kind.Meta(value).Revision = kv.ModRevision;
        return value;
    }

    public async Task<string?> GetStringAsync(string key, CancellationToken ct) =>
        (await kv.GetAsync(key, ct).ConfigureAwait(false))?.ValueString;

    public async Task<bool> AnyUnderAsync(string prefix, CancellationToken ct)
    {
        var r = await kv.RangeAsync(new RangeRequest(Keys.Of(prefix), Keys.PrefixEnd(prefix), Limit: 1, KeysOnly: true), ct).ConfigureAwait(false);
        return r.Kvs.Count > 0;
    }

    public async Task<List<string>> KeysUnderAsync(string prefix, CancellationToken ct)
    {
        var r = await kv.RangeAsync(new RangeRequest(Keys.Of(prefix), Keys.PrefixEnd(prefix), KeysOnly: true), ct).ConfigureAwait(false);
        return r.Kvs.Select(x => x.KeyString[prefix.Length..]).ToList();
    }

    public static PutRequest Put<T>(ObjectKind<T> kind, T value) where T : IMessage<T> =>
        new(Keys.Of(kind.Key(kind.Meta(value).Id)), value.ToByteArray());

    public static PutRequest PutString(string key, string value) => PutRequest.Of(key, value);
    public static DeleteRangeRequest Delete(string key) => DeleteRangeRequest.Single(key);
    public static DeleteRangeRequest DeletePrefix(string prefix) => DeleteRangeRequest.Prefix(prefix);
    public static Compare Unchanged<T>(ObjectKind<T> kind, Stored<T> s) where T : IMessage<T> =>
        Compare.ModRevision(kind.Key(kind.Meta(s.Value).Id), CompareResult.Equal, s.ModRevision);

    public Task<TxnResponse> TxnAsync(IReadOnlyList<Compare> compares, IReadOnlyList<RequestOp> ops, CancellationToken ct) =>
        kv.TxnAsync(new TxnRequest(compares, ops), ct);
}
