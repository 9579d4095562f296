using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Infra.Controller.Domain.Enrollment;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Enrollment;

/// <summary>
/// Join tokens in the store (<see cref="StoreLayout.JoinToken"/>, protobuf StoredJoinToken). Using a
/// token is a compare-and-swap on its ModRevision: of two Enroll calls racing with one token exactly
/// one marks it used, and the other re-reads it and is refused as "already used".
/// </summary>
public sealed class JoinTokenStore(IKeyValueStore store, TimeProvider time)
{
    const int MaxAttempts = 8;

    public async Task<(JoinToken Token, string Secret)> CreateAsync(string hostId, bool cordoned, string description, TimeSpan ttl, CancellationToken ct)
    {
        var (id, token, hash) = JoinTokens.New();
        var now = time.GetUtcNow();
        var t = new JoinToken
        {
            Id = id, HostId = hostId, Cordoned = cordoned, Description = description,
            CreateTime = Timestamp.FromDateTimeOffset(now), ExpireTime = Timestamp.FromDateTimeOffset(now + ttl),
        };
        var stored = new StoredJoinToken { Token = t, SecretSha256 = ByteString.CopyFrom(hash) };
        var r = await store.TxnAsync(new TxnRequest([Compare.Absent(StoreLayout.JoinToken(id))],
            [new PutRequest(Keys.Of(StoreLayout.JoinToken(id)), stored.ToByteArray())]), ct).ConfigureAwait(false);
        if (!r.Succeeded) throw new InvalidOperationException($"join token id {id} collided with an existing one; retry");
        return (t, token);
    }

    public async Task<IReadOnlyList<JoinToken>> ListAsync(CancellationToken ct) =>
        (await store.GetPrefixAsync(StoreLayout.JoinTokenRoot, ct).ConfigureAwait(false))
            .Select(kv => StoredJoinToken.Parser.ParseFrom(kv.Value).Token).ToList();

    /// <summary>Marks the token used by <paramref name="hostId"/>, or says why it may not be used.</summary>
    public Task<(TokenRefusal Refusal, JoinToken? Token)> UseAsync(string id, string secret, string hostId, bool hostRevoked, CancellationToken ct) =>
        ChangeAsync(id, s =>
        {
            var refusal = JoinTokens.Check(s, secret, hostId, time.GetUtcNow(), hostRevoked);
            if (refusal != TokenRefusal.None) return (refusal, null);
            s!.Token.UsedTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            s.Token.UsedByHostId = hostId;
            return (TokenRefusal.None, s);
        }, ct);

    /// <summary>Revokes an unused token: (None, token) when revoked (or already revoked), else why not (Unknown, Used).</summary>
    public Task<(TokenRefusal Refusal, JoinToken? Token)> RevokeAsync(string id, CancellationToken ct) =>
        ChangeAsync(id, s =>
        {
            if (s is null) return (TokenRefusal.Unknown, null);
            if (s.Token.UsedTime is not null) return (TokenRefusal.Used, null);
            if (s.Token.RevokeTime is not null) return (TokenRefusal.None, null);
            s.Token.RevokeTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
            return (TokenRefusal.None, s);
        }, ct);

    /// <summary>Read, decide, write-if-unchanged; <paramref name="change"/> gets a copy and returns what to write (null: nothing).</summary>
    async Task<(TokenRefusal, JoinToken?)> ChangeAsync(string id, Func<StoredJoinToken?, (TokenRefusal, StoredJoinToken?)> change, CancellationToken ct)
    {
        var key = StoreLayout.JoinToken(id);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var kv = await store.GetAsync(key, ct).ConfigureAwait(false);
            var current = kv is null ? null : StoredJoinToken.Parser.ParseFrom(kv.Value);
            var (refusal, next) = change(current?.Clone());
            if (refusal != TokenRefusal.None || next is null) return (refusal, current?.Token);
            var r = await store.TxnAsync(new TxnRequest([Compare.ModRevision(key, CompareResult.Equal, kv!.ModRevision)],
                [new PutRequest(Keys.Of(key), next.ToByteArray())]), ct).ConfigureAwait(false);
            if (r.Succeeded) return (TokenRefusal.None, next.Token);
        }
        throw new InvalidOperationException($"join token {id} kept changing under this call ({MaxAttempts} attempts); retry");
    }
}
