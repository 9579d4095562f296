namespace Infra.Store.Sqlite;

public sealed partial class SqliteStore
{
    public Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken ct = default)
    {
        if (request.TtlSeconds <= 0) throw new InvalidStoreRequestException($"lease TTL must be positive, got {request.TtlSeconds}");
        return WriteAsync(tx =>
        {
            var id = request.Id;
            if (id == 0)
            {
                do id = Random.Shared.NextInt64(1, long.MaxValue);
                while (Exists(tx, id));
            }
            else if (Exists(tx, id))
            {
                throw new InvalidStoreRequestException($"lease {id:x} already exists");
            }
            var expires = NowMs + request.TtlSeconds * 1000;
            SqliteSchema.Exec(_writer, $"INSERT INTO lease(id, ttl, granted_ttl, expires_ms) VALUES ({id}, {request.TtlSeconds}, {request.TtlSeconds}, {expires})", tx.Tx);
            return new LeaseGrantResponse(new(tx.Revision), id, request.TtlSeconds);
        }, ct);
    }

    bool Exists(SqliteWriteTxn tx, long id) => SqliteSchema.Scalar(_writer, tx.Tx, $"SELECT COUNT(*) FROM lease WHERE id = {id}") > 0;

    public Task LeaseRevokeAsync(long leaseId, CancellationToken ct = default) =>
        WriteAsync(tx => tx.RevokeLease(leaseId) ? 0 : throw new LeaseNotFoundException(leaseId), ct);

    public Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(long leaseId, CancellationToken ct = default) =>
        WriteAsync(tx =>
        {
            if (!tx.LeaseAlive(leaseId)) throw new LeaseNotFoundException(leaseId);
            var ttl = SqliteSchema.Scalar(_writer, tx.Tx, $"SELECT granted_ttl FROM lease WHERE id = {leaseId}");
            SqliteSchema.Exec(_writer, $"UPDATE lease SET ttl = {ttl}, expires_ms = {NowMs + ttl * 1000} WHERE id = {leaseId}", tx.Tx);
            return new LeaseKeepAliveResponse(new(tx.Revision), leaseId, ttl);
        }, ct);

    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long leaseId, bool withKeys = false, CancellationToken ct = default)
    {
        await using var c = OpenReader();
        using var tx = c.BeginTransaction(deferred: true);
        var rev = SqliteSchema.Revision(c, tx);
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT granted_ttl, expires_ms FROM lease WHERE id = {leaseId}";
        long granted, expires;
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return new LeaseTimeToLiveResponse(new(rev), leaseId, -1, 0, []);
            granted = r.GetInt64(0);
            expires = r.GetInt64(1);
        }
        var remainingMs = expires - NowMs;
        if (remainingMs <= 0) return new LeaseTimeToLiveResponse(new(rev), leaseId, -1, 0, []);
        var keys = new List<byte[]>();
        if (withKeys)
        {
            cmd.CommandText = $"SELECT key FROM kv WHERE lease = {leaseId} ORDER BY key";
            using var r = cmd.ExecuteReader();
            while (r.Read()) keys.Add((byte[])r[0]);
        }
        return new LeaseTimeToLiveResponse(new(rev), leaseId, (remainingMs + 999) / 1000, granted, keys);
    }

    /// <summary>
    /// Revoke every lease whose deadline has passed, each as its own delete revision (what etcd's
    /// lessor does). Runs from the lease timer; public so a host can force a pass.
    /// </summary>
    public async Task ReapExpiredLeasesAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        try
        {
            List<long> due;
            await using (var c = OpenReader())
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"SELECT id FROM lease WHERE expires_ms <= {NowMs}";
                due = [];
                using var r = cmd.ExecuteReader();
                while (r.Read()) due.Add(r.GetInt64(0));
            }
            foreach (var id in due)
            {
                // Re-check under the write lock: a keepalive may have won the race.
                var revoked = await WriteAsync(tx => !tx.LeaseAlive(id) && tx.RevokeLease(id), _disposed.Token).ConfigureAwait(false);
                if (revoked) LogLeaseExpired(_log, id);
            }
        }
        catch (Exception) when (_disposed.IsCancellationRequested)
        {
            // Store closing; the next open reaps what is left.
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            LogLeaseReapFailed(_log, e);
        }
    }
}
