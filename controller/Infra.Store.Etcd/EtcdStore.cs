using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rpc = Infra.Store.Etcd.Rpc;

namespace Infra.Store.Etcd;

/// <summary>
/// <see cref="IKeyValueStore"/> on an etcd v3 cluster. Every method is one etcd RPC with the same
/// meaning (controller/Infra.Store/README.md has the table): the store records translate field for
/// field (<see cref="EtcdConvert"/>), etcd's error texts become the interface's typed exceptions
/// (<see cref="EtcdErrors"/>). Unary calls go to the current member and move to the next one on
/// UNAVAILABLE. Watches share one bidi Watch stream (<see cref="EtcdWatchStream"/>) that reconnects
/// and resumes each watcher after its last delivered revision; keepalives share one bidi
/// LeaseKeepAlive stream (<see cref="EtcdKeepAliveStream"/>).
/// </summary>
public sealed partial class EtcdStore : IKeyValueStore
{
    readonly EtcdStoreOptions _options;
    readonly EtcdEndpoints _endpoints;
    readonly EtcdWatchStream _watches;
    readonly EtcdKeepAliveStream _keepAlives;
    readonly CancellationTokenSource _disposed = new();
    readonly ILogger _log;

    EtcdStore(EtcdStoreOptions options, ILogger log)
    {
        _options = options;
        _log = log;
        _endpoints = new EtcdEndpoints(options.Endpoints, options.Security);
        _watches = new EtcdWatchStream(_endpoints, options, log, _disposed.Token);
        _keepAlives = new EtcdKeepAliveStream(_endpoints, log, _disposed.Token);
    }

    /// <summary>A client for the cluster; connects lazily on the first call. Refuses invalid options with every error listed.</summary>
    public static EtcdStore Connect(EtcdStoreOptions options, ILogger<EtcdStore>? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid etcd store options: " + string.Join("; ", errors), nameof(options));
        return new EtcdStore(options, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>One unary call, tried on each member at most once while they answer UNAVAILABLE.</summary>
    async Task<TResponse> CallAsync<TResponse>(Func<GrpcChannel, CallOptions, AsyncUnaryCall<TResponse>> start,
        CancellationToken ct, long revision = 0, long lease = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        for (var attempt = 1; ; attempt++)
        {
            var (channel, index) = _endpoints.Current;
            try
            {
                using var call = start(channel, new CallOptions(deadline: DateTime.UtcNow + _options.EffectiveCallTimeout, cancellationToken: ct));
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e) when (attempt == 1 && _endpoints.Auth is { } auth && EtcdAuth.IsInvalidToken(e))
            {
                // The token expired (or the member forgot it): once more with a fresh one.
                auth.Invalidate();
            }
            catch (RpcException e) when (EtcdErrors.IsUnavailable(e) && attempt < _endpoints.Count)
            {
                LogMemberUnavailable(_log, channel.Target, e.Status.Detail);
                _endpoints.Failed(index);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
            catch (RpcException e)
            {
                throw EtcdErrors.Map(e, revision, lease);
            }
        }
    }

    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct = default)
    {
        var m = EtcdConvert.ToRpc(request);
        var r = await CallAsync((c, o) => new Rpc.KV.KVClient(c).RangeAsync(m, o), ct, revision: request.Revision).ConfigureAwait(false);
        return EtcdConvert.FromRpc(r);
    }

    public async Task<PutResponse> PutAsync(PutRequest request, CancellationToken ct = default)
    {
        var m = EtcdConvert.ToRpc(request);
        var r = await CallAsync((c, o) => new Rpc.KV.KVClient(c).PutAsync(m, o), ct, lease: request.Lease).ConfigureAwait(false);
        return EtcdConvert.FromRpc(r);
    }

    public async Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken ct = default)
    {
        var m = EtcdConvert.ToRpc(request);
        var r = await CallAsync((c, o) => new Rpc.KV.KVClient(c).DeleteRangeAsync(m, o), ct).ConfigureAwait(false);
        return EtcdConvert.FromRpc(r);
    }

    public async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken ct = default)
    {
        var m = EtcdConvert.ToRpc(request);
        var r = await CallAsync((c, o) => new Rpc.KV.KVClient(c).TxnAsync(m, o), ct, lease: EtcdConvert.LeaseOf(request)).ConfigureAwait(false);
        return EtcdConvert.FromRpc(r);
    }

    public async Task<CompactResponse> CompactAsync(long revision, CancellationToken ct = default)
    {
        // physical: answer only once the compaction is applied, so a read right after sees it.
        var m = new Rpc.CompactionRequest { Revision = revision, Physical = true };
        var r = await CallAsync((c, o) => new Rpc.KV.KVClient(c).CompactAsync(m, o), ct, revision: revision).ConfigureAwait(false);
        return new CompactResponse(EtcdConvert.Header(r.Header));
    }

    public IAsyncEnumerable<WatchResponse> WatchAsync(WatchRequest request, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return _watches.WatchAsync(request, ct);
    }

    public async Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken ct = default)
    {
        var m = new Rpc.LeaseGrantRequest { TTL = request.TtlSeconds, ID = request.Id };
        var r = await CallAsync((c, o) => new Rpc.Lease.LeaseClient(c).LeaseGrantAsync(m, o), ct, lease: request.Id).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(r.Error)) throw new InvalidStoreRequestException("etcd refused the lease: " + r.Error);
        return new LeaseGrantResponse(EtcdConvert.Header(r.Header), r.ID, r.TTL);
    }

    public async Task LeaseRevokeAsync(long leaseId, CancellationToken ct = default)
    {
        var m = new Rpc.LeaseRevokeRequest { ID = leaseId };
        await CallAsync((c, o) => new Rpc.Lease.LeaseClient(c).LeaseRevokeAsync(m, o), ct, lease: leaseId).ConfigureAwait(false);
    }

    public async Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(long leaseId, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var r = await _keepAlives.KeepAliveAsync(leaseId, _options.EffectiveCallTimeout, ct).ConfigureAwait(false);
        // etcd answers a keepalive for an unknown lease with TTL 0 rather than an error.
        if (r.TTL <= 0) throw new LeaseNotFoundException(leaseId);
        return new LeaseKeepAliveResponse(EtcdConvert.Header(r.Header), r.ID, r.TTL);
    }

    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(long leaseId, bool withKeys = false, CancellationToken ct = default)
    {
        var m = new Rpc.LeaseTimeToLiveRequest { ID = leaseId, Keys = withKeys };
        try
        {
            var r = await CallAsync((c, o) => new Rpc.Lease.LeaseClient(c).LeaseTimeToLiveAsync(m, o), ct, lease: leaseId).ConfigureAwait(false);
            return new LeaseTimeToLiveResponse(EtcdConvert.Header(r.Header), r.ID, r.TTL, r.GrantedTTL, r.Keys.Select(k => k.ToByteArray()).ToArray());
        }
        catch (LeaseNotFoundException)
        {
            // Some etcd versions answer an unknown lease with an error instead of TTL -1.
            return new LeaseTimeToLiveResponse(default, leaseId, -1, 0, []);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        await _watches.DisposeAsync().ConfigureAwait(false);
        await _keepAlives.DisposeAsync().ConfigureAwait(false);
        _endpoints.Dispose();
        _disposed.Dispose();
    }
}
