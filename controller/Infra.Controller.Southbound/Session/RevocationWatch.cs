using Infra.Controller.Model.Store;
using Infra.Store;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// Ends the session of a host the moment an operator revokes it, on whichever replica holds it: every
/// replica watches the revoked-host prefix (<see cref="StoreLayout.RevokedHostRoot"/>) and ends its own
/// session of each host that appears there (PERMISSION_DENIED). New sessions of a revoked host are
/// refused at Connect (and its certificate at authentication), so the watch only has to cover the
/// sessions that were already open.
/// </summary>
public sealed partial class RevocationWatch(IKeyValueStore store, SessionRegistry registry, ILogger<RevocationWatch> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var head = await store.RangeAsync(RangeRequest.Prefix(StoreLayout.RevokedHostRoot), ct).ConfigureAwait(false);
                foreach (var kv in head.Kvs) Revoke(kv.Key);
                await foreach (var w in store.WatchAsync(WatchRequest.Prefix(StoreLayout.RevokedHostRoot, head.Header.Revision + 1), ct).ConfigureAwait(false))
                    foreach (var e in w.Events.Where(e => e.Type == EventType.Put)) Revoke(e.Kv.Key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogWatchRestarted(log, e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Whether the host is revoked now (Connect asks once its session is registered, closing the race with the watch).</summary>
    public async Task<bool> IsRevokedAsync(string hostId, CancellationToken ct) =>
        await store.GetAsync(StoreLayout.RevokedHost(hostId), ct).ConfigureAwait(false) is not null;

    void Revoke(byte[] key)
    {
        var hostId = System.Text.Encoding.UTF8.GetString(key)[StoreLayout.RevokedHostRoot.Length..];
        if (registry.Revoke(hostId)) LogSessionRevoked(log, hostId);
    }
}
