using Infra.Controller.Model.Store;
using Infra.Store;

namespace Infra.Controller.Api.Enrollment;

/// <summary>
/// Revoked hosts (<see cref="StoreLayout.RevokedHost"/>): a revoked host's certificates are refused on
/// every call, and the southbound ends its session as soon as the key appears (it watches the prefix).
/// Only a join token bound to that host id (an operator's explicit decision) lets it enroll again.
/// </summary>
public sealed class HostRevocations(IKeyValueStore store)
{
    public async Task<bool> IsRevokedAsync(string hostId, CancellationToken ct) =>
        await store.GetAsync(StoreLayout.RevokedHost(hostId), ct).ConfigureAwait(false) is not null;

    public Task RevokeAsync(string hostId, DateTimeOffset at, CancellationToken ct) =>
        store.PutAsync(StoreLayout.RevokedHost(hostId), at.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ct: ct);

    public Task ClearAsync(string hostId, CancellationToken ct) => store.DeleteAsync(StoreLayout.RevokedHost(hostId), ct);
}
