using Infra.Controller.Southbound.Session;
using Infra.Store;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

/// <summary>
/// This replica's entries in the session directory (<see cref="SessionOwner"/> records). All of them
/// hang on one store lease that a background loop keeps alive: if the replica dies the records expire
/// with it (within <see cref="SouthboundOptions.SessionLeaseTtl"/>), so other replicas stop relaying
/// to a dead address. If the store drops the lease anyway (a long pause), a new one is taken and every
/// live session is published again.
/// </summary>
public sealed partial class SessionDirectory(IKeyValueStore store, SouthboundOptions options, ReplicaAddress address,
    SessionRegistry registry, ILogger<SessionDirectory> log)
{
    readonly SemaphoreSlim _leaseGate = new(1, 1);
    long _lease;

    long TtlSeconds => Math.Max(1, (long)Math.Ceiling(options.SessionLeaseTtl.TotalSeconds));

    /// <summary>Records that <paramref name="hostId"/>'s session <paramref name="sessionId"/> lives here.</summary>
    public async Task PublishAsync(string hostId, string sessionId, CancellationToken ct)
    {
        var url = await address.GetAsync(ct).ConfigureAwait(false);
        var lease = await LeaseAsync(ct).ConfigureAwait(false);
        var record = new SessionOwner(options.ControllerId, url, sessionId);
        await store.PutAsync(new PutRequest(Keys.Of(SessionOwner.Key(hostId)), record.Encode(), lease), ct).ConfigureAwait(false);
    }

    /// <summary>Removes the record if it still names this session (a newer session elsewhere keeps its own).</summary>
    public async Task WithdrawAsync(string hostId, string sessionId, CancellationToken ct)
    {
        var key = SessionOwner.Key(hostId);
        var current = await store.GetAsync(key, ct).ConfigureAwait(false);
        if (current is null || SessionOwner.Decode(current.Value) is not { } o || o.ReplicaId != options.ControllerId || o.SessionId != sessionId) return;
        await store.TxnAsync(new TxnRequest(
            [Compare.ModRevision(key, CompareResult.Equal, current.ModRevision)],
            [DeleteRangeRequest.Single(key)]), ct).ConfigureAwait(false);
    }

    /// <summary>Who holds the host's session, or null when no replica does.</summary>
    public async Task<SessionOwner?> LookupAsync(string hostId, CancellationToken ct)
    {
        var kv = await store.GetAsync(SessionOwner.Key(hostId), ct).ConfigureAwait(false);
        return kv is null ? null : SessionOwner.Decode(kv.Value);
    }

    async Task<long> LeaseAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _lease) is var l && l != 0) return l;
        await _leaseGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_lease == 0) _lease = (await store.LeaseGrantAsync(new LeaseGrantRequest(TtlSeconds), ct).ConfigureAwait(false)).Id;
            return _lease;
        }
        finally { _leaseGate.Release(); }
    }

    /// <summary>Keeps the lease alive every third of its TTL; replaces it (and republishes) when the store lost it.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var period = TimeSpan.FromSeconds(TtlSeconds) / 3;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, ct).ConfigureAwait(false);
                var lease = Volatile.Read(ref _lease);
                if (lease == 0) continue;
                var r = await store.LeaseKeepAliveAsync(lease, ct).ConfigureAwait(false);
                if (r.TtlSeconds > 0) continue;
                await RenewAsync(lease, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (LeaseNotFoundException) { await RenewAsync(Volatile.Read(ref _lease), ct).ConfigureAwait(false); }
            catch (Exception e) { LogKeepAliveFailed(log, e.Message); }
        }
    }

    async Task RenewAsync(long lost, CancellationToken ct)
    {
        LogLeaseLost(log, lost);
        Interlocked.CompareExchange(ref _lease, 0, lost);
        foreach (var (host, session) in registry.Sessions)
        {
            try { await PublishAsync(host, session, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException) { LogKeepAliveFailed(log, e.Message); }
        }
    }

    /// <summary>Gives the lease back on shutdown so the records vanish at once, not after the TTL.</summary>
    public async Task RevokeAsync(CancellationToken ct)
    {
        var lease = Interlocked.Exchange(ref _lease, 0);
        if (lease != 0) await store.LeaseRevokeAsync(lease, ct).ConfigureAwait(false);
    }
}
