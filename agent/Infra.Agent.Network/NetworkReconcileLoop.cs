using System.Threading.Channels;
using Infra.Agent.Network.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Network;

/// <summary>
/// Runs the reconciler whenever something may have drifted, coalescing bursts: a new desired spec,
/// any change in the OVSDB replica (a port deleted by hand, an ofport assigned) or the periodic flow
/// verification all just mark "dirty"; one pass then acts on the current state, however many events
/// arrived. A failed pass is retried after <see cref="RetryDelay"/>. Results go to <see cref="Applied"/>.
/// </summary>
public sealed partial class NetworkReconcileLoop : IAsyncDisposable
{
    private readonly NetworkReconciler _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private HostNetworkSpec? _desired;
    private Task _loop = Task.CompletedTask;
    private bool _verifyNext;

    public NetworkReconcileLoop(NetworkReconciler reconciler, TimeSpan verifyInterval, ILogger? log = null, TimeProvider? time = null)
    {
        _reconciler = reconciler;
        VerifyInterval = verifyInterval;
        _time = time ?? TimeProvider.System;
        _log = log ?? NullLogger.Instance;
    }

    public TimeSpan VerifyInterval { get; }
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Called after each pass with its result, or with the exception that failed it.</summary>
    public event Action<ReconcileResult?, Exception?>? Applied;

    public void Start()
    {
        _reconciler.Replica.Changed += OnReplicaChanged;
        _loop = Task.Run(RunAsync);
    }

    public void SetDesired(HostNetworkSpec spec)
    {
        Volatile.Write(ref _desired, spec);
        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private void OnReplicaChanged(Infra.Ovsdb.Monitor.OvsdbReplica _) => Wake();

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        using var timer = _time.CreateTimer(_ => { _verifyNext = true; Wake(); }, null, VerifyInterval, VerifyInterval);
        try
        {
            while (await _wake.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                if (Volatile.Read(ref _desired) is not { } spec) continue;
                var verify = _verifyNext;
                _verifyNext = false;
                try
                {
                    var result = await _reconciler.ReconcileAsync(spec, ct, verify).ConfigureAwait(false);
                    Applied?.Invoke(result, null);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    LogPassFailed(_log, ex.Message, RetryDelay);
                    Applied?.Invoke(null, ex);
                    await Task.Delay(RetryDelay, _time, ct).ConfigureAwait(false);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        _reconciler.Replica.Changed -= OnReplicaChanged;
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
