using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Rpc = Infra.Store.Etcd.Rpc;

namespace Infra.Store.Etcd;

/// <summary>
/// One bidi LeaseKeepAlive stream shared by every keepalive of this client, opened on first use.
/// etcd answers each request with one response carrying the lease id, in order, so pending calls
/// are kept as a FIFO per lease id. One write loop fed by a channel (gRPC allows one writer at a
/// time), one read loop; when the stream breaks every pending call fails and the next call reopens
/// it on the current member.
/// </summary>
sealed partial class EtcdKeepAliveStream(EtcdEndpoints endpoints, ILogger log, CancellationToken disposed) : IAsyncDisposable
{
    readonly object _gate = new();
    Connection? _connection;

    sealed class Connection
    {
        public required int Index { get; init; }
        public required AsyncDuplexStreamingCall<Rpc.LeaseKeepAliveRequest, Rpc.LeaseKeepAliveResponse> Call { get; init; }
        public required CancellationTokenSource Cts { get; init; }
        public Channel<Rpc.LeaseKeepAliveRequest> Outbox { get; } = Channel.CreateUnbounded<Rpc.LeaseKeepAliveRequest>(new() { SingleReader = true });
        public Dictionary<long, Queue<TaskCompletionSource<Rpc.LeaseKeepAliveResponse>>> Pending { get; } = [];
        public Exception? Failure { get; set; }
        public Task Loops { get; set; } = Task.CompletedTask;
    }

    public async Task<Rpc.LeaseKeepAliveResponse> KeepAliveAsync(long leaseId, TimeSpan timeout, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conn = Open();
            var tcs = new TaskCompletionSource<Rpc.LeaseKeepAliveResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (conn.Pending)
            {
                if (conn.Failure is { } f) tcs.SetException(f);
                else
                {
                    if (!conn.Pending.TryGetValue(leaseId, out var q)) conn.Pending[leaseId] = q = new();
                    q.Enqueue(tcs);
                    conn.Outbox.Writer.TryWrite(new Rpc.LeaseKeepAliveRequest { ID = leaseId });
                }
            }
            try
            {
                return await tcs.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (EtcdErrors.IsUnavailable(e) && attempt < endpoints.Count)
            {
                endpoints.Failed(conn.Index);
            }
            catch (RpcException e)
            {
                throw EtcdErrors.Map(e, lease: leaseId);
            }
            catch (TimeoutException)
            {
                throw new EtcdRequestException(StatusCode.DeadlineExceeded, $"no keepalive answer for lease {leaseId:x} within {timeout}");
            }
        }
    }

    Connection Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(disposed.IsCancellationRequested, this);
            if (_connection is { Failure: null } live) return live;
            var (channel, index) = endpoints.Current;
            var cts = CancellationTokenSource.CreateLinkedTokenSource(disposed);
            var call = new Rpc.Lease.LeaseClient(channel).LeaseKeepAlive(new CallOptions(cancellationToken: cts.Token));
            var conn = new Connection { Index = index, Call = call, Cts = cts };
            conn.Loops = RunAsync(conn);
            return _connection = conn;
        }
    }

    async Task RunAsync(Connection conn)
    {
        var write = WriteLoopAsync(conn);
        Exception failure;
        try
        {
            while (await conn.Call.ResponseStream.MoveNext(conn.Cts.Token).ConfigureAwait(false))
            {
                var r = conn.Call.ResponseStream.Current;
                TaskCompletionSource<Rpc.LeaseKeepAliveResponse>? tcs = null;
                lock (conn.Pending)
                    if (conn.Pending.TryGetValue(r.ID, out var q) && q.TryDequeue(out tcs) && q.Count == 0) conn.Pending.Remove(r.ID);
                tcs?.TrySetResult(r);
            }
            failure = new RpcException(new Status(StatusCode.Unavailable, "etcd ended the keepalive stream"));
        }
        catch (Exception e)
        {
            failure = e is RpcException ? e : new RpcException(new Status(StatusCode.Unavailable, "keepalive stream failed: " + e.Message));
        }
        if (failure is RpcException rpc && EtcdAuth.IsInvalidToken(rpc)) endpoints.Auth?.Invalidate();
        if (!disposed.IsCancellationRequested) LogKeepAliveStreamBroken(log, failure);
        List<TaskCompletionSource<Rpc.LeaseKeepAliveResponse>> orphans;
        lock (conn.Pending)
        {
            conn.Failure = failure;
            orphans = conn.Pending.Values.SelectMany(q => q).ToList();
            conn.Pending.Clear();
        }
        foreach (var t in orphans) t.TrySetException(failure);
        conn.Outbox.Writer.TryComplete();
        conn.Cts.Cancel();
        try { await write.ConfigureAwait(false); } catch { /* the read side already reported the failure */ }
        conn.Call.Dispose();
    }

    static async Task WriteLoopAsync(Connection conn)
    {
        try
        {
            await foreach (var m in conn.Outbox.Reader.ReadAllAsync(conn.Cts.Token).ConfigureAwait(false))
                await conn.Call.RequestStream.WriteAsync(m, conn.Cts.Token).ConfigureAwait(false);
        }
        catch
        {
            conn.Cts.Cancel(); // let the read loop notice and fail every pending call
        }
    }

    public async ValueTask DisposeAsync()
    {
        Connection? conn;
        lock (_gate) conn = _connection;
        if (conn is null) return;
        conn.Cts.Cancel();
        await conn.Loops.ConfigureAwait(false);
        conn.Cts.Dispose();
    }
}
