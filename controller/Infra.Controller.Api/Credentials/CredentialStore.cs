using Google.Protobuf;
using Infra.Controller.Model.Store;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Api.Credentials;

/// <summary>A credential as kept: the hash of its secret and what the API shows.</summary>
public sealed record StoredCredential(byte[] SecretHash, Credential Credential);

/// <summary>
/// Credentials in the store under <see cref="StoreLayout.CredentialRoot"/>. The value is the 32-byte
/// SHA-256 of the secret followed by the protobuf Credential, so a read never needs a second key and the
/// API message never has a field that could carry the hash out by mistake.
/// </summary>
public sealed class CredentialStore(IKeyValueStore kv)
{
    const int HashLength = 32;

    public async Task CreateAsync(StoredCredential c, CancellationToken ct)
    {
        var key = StoreLayout.Credential(c.Credential.Id);
        var txn = new TxnRequest([Compare.Absent(key)], [new PutRequest(Keys.Of(key), Encode(c))]);
        var r = await kv.TxnAsync(txn, ct).ConfigureAwait(false);
        if (!r.Succeeded) throw new InvalidOperationException($"credential id {c.Credential.Id} already exists");
    }

    public async Task<(StoredCredential Value, long ModRevision)?> GetAsync(string id, CancellationToken ct)
    {
        var row = await kv.GetAsync(StoreLayout.Credential(id), ct).ConfigureAwait(false);
        return row is null || Decode(row.Value) is not { } c ? null : (c, row.ModRevision);
    }

    /// <summary>Writes <paramref name="c"/> if the key is still at <paramref name="modRevision"/>; false when it moved.</summary>
    public async Task<bool> UpdateAsync(StoredCredential c, long modRevision, CancellationToken ct)
    {
        var key = Keys.Of(StoreLayout.Credential(c.Credential.Id));
        var txn = new TxnRequest(
            [new Compare(key, CompareTarget.ModRevision, CompareResult.Equal, modRevision)],
            [new PutRequest(key, Encode(c))]);
        return (await kv.TxnAsync(txn, ct).ConfigureAwait(false)).Succeeded;
    }

    /// <summary>Every credential in id order (operators hold a handful, not millions).</summary>
    public async Task<List<Credential>> ListAsync(CancellationToken ct)
    {
        var rows = await kv.GetPrefixAsync(StoreLayout.CredentialRoot, ct).ConfigureAwait(false);
        return rows.Select(r => Decode(r.Value)?.Credential).OfType<Credential>().ToList();
    }

    /// <summary>Whether tenant <paramref name="tenantId"/> still exists: a tenant credential dies with its tenant.</summary>
    public async Task<bool> TenantExistsAsync(string tenantId, CancellationToken ct) =>
        await kv.GetAsync(Kinds.Tenant.Key(tenantId), ct).ConfigureAwait(false) is not null;

    static byte[] Encode(StoredCredential c) => [.. c.SecretHash, .. c.Credential.ToByteArray()];

    static StoredCredential? Decode(byte[] value)
    {
        if (value.Length < HashLength) return null;
        try { return new StoredCredential(value[..HashLength], Credential.Parser.ParseFrom(value, HashLength, value.Length - HashLength)); }
        catch (InvalidProtocolBufferException) { return null; }
    }
}
