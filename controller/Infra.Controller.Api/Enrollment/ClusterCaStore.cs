using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Infra.Controller.Domain.Enrollment;
using Infra.Controller.Model.Store;
using Infra.Store;

namespace Infra.Controller.Api.Enrollment;

/// <summary>
/// The cluster CA in the store (<see cref="StoreLayout.ClusterCa"/>), shared by every replica: the
/// first one that needs it creates it with a create-if-absent transaction, so two replicas racing at
/// cluster init end up with the one that won. It never changes afterwards, so it is read once and kept.
/// </summary>
public sealed class ClusterCaStore(IKeyValueStore store, TimeProvider time)
{
    readonly SemaphoreSlim _gate = new(1, 1);
    CaMaterial? _material;
    X509Certificate2? _public;

    sealed record Stored(string CertPem, string KeyPem);

    /// <summary>The CA (created on first need).</summary>
    public async Task<CaMaterial> GetAsync(CancellationToken ct)
    {
        if (_material is { } m) return m;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_material is { } again) return again;
            var kv = await store.GetAsync(StoreLayout.ClusterCa, ct).ConfigureAwait(false);
            if (kv is null)
            {
                var made = ClusterCa.Create(time.GetUtcNow());
                await store.CreateAsync(StoreLayout.ClusterCa, JsonSerializer.Serialize(new Stored(made.CertPem, made.KeyPem)), ct: ct).ConfigureAwait(false);
                // Whether this replica's CA or a racing one's was stored first, the stored one is the CA.
                kv = await store.GetAsync(StoreLayout.ClusterCa, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{StoreLayout.ClusterCa} vanished right after it was created");
            }
            var s = JsonSerializer.Deserialize<Stored>(kv.Value) ?? throw new InvalidOperationException($"{StoreLayout.ClusterCa} is not a CA record");
            _material = new CaMaterial(s.CertPem, s.KeyPem);
            return _material;
        }
        finally { _gate.Release(); }
    }

    /// <summary>The CA certificate without its key, for checking client certificates.</summary>
    public async Task<X509Certificate2> PublicAsync(CancellationToken ct)
    {
        if (_public is { } p) return p;
        var m = await GetAsync(ct).ConfigureAwait(false);
        return _public = m.LoadPublic();
    }
}
