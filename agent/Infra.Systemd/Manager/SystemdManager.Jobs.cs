using Tmds.DBus.Protocol;

namespace Infra.Systemd.Manager;

public sealed partial class SystemdManager
{
    // JobRemoved may be dispatched before the caller has the job path in hand (the reply and the
    // signal race through the library's read loop), so outcomes are kept until claimed, bounded in number.
    const int MaxUnclaimedOutcomes = 4096;
    readonly Lock _jobsGate = new();
    readonly Dictionary<string, JobOutcome> _finished = new();
    readonly Queue<string> _finishedOrder = new();
    readonly Dictionary<string, TaskCompletionSource<JobOutcome>> _waiters = new();
    readonly SemaphoreSlim _subscribeOnce = new(1, 1);
    JobSignals? _signals;   // the JobRemoved match on the current connection; null before the first subscribe or once lost
    bool _everSubscribed;

    /// <summary>One JobRemoved match, valid for the life of one bus connection.</summary>
    sealed class JobSignals
    {
        public IDisposable? Match;
        public bool Lost;
    }

    static readonly MessageValueReader<JobOutcome?> ReadJobRemoved = static (m, _) =>
    {
        if (m.SignatureAsString != "uoss") return null;
        var r = m.GetBodyReader();
        r.ReadUInt32();
        var path = r.ReadObjectPathAsString();
        var unit = r.ReadString();
        return new JobOutcome(path, unit, JobOutcome.ParseResult(r.ReadString()));
    };

    /// <summary>
    /// Routes JobRemoved to this client and asks systemd to emit it (Manager.Subscribe). Idempotent,
    /// and done again after a reconnect; call before starting jobs you intend to wait for.
    /// </summary>
    public async Task SubscribeAsync(CancellationToken ct = default) => await EnsureSubscribedAsync(ct).ConfigureAwait(false);

    async Task<JobSignals> EnsureSubscribedAsync(CancellationToken ct)
    {
        await _subscribeOnce.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_jobsGate) if (_signals is { } live) return live;
            var signals = new JobSignals();
            var adding = OffContext(() => _bus.AddMatchAsync(new MatchRule
            {
                Type = MessageType.Signal, Sender = Service, Interface = ManagerInterface, Member = "JobRemoved", Path = ManagerPath,
            }, ReadJobRemoved, n => OnJobSignal(signals, n), emitOnCapturedContext: false,
                flags: ObserverFlags.EmitOnConnectionClosed | ObserverFlags.EmitOnConnectionFailed).AsTask());
            try { signals.Match = await adding.WaitAsync(_o.CallTimeout, _o.TimeProvider, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                _ = adding.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                throw e is TimeoutException ? new SystemdTimeoutException($"the bus did not accept the JobRemoved match within {_o.CallTimeout}") : e;
            }
            try { await CallSubscribe(ct).ConfigureAwait(false); }
            catch (SystemdErrorException e) when (e.ErrorName == SystemdErrorNames.AlreadySubscribed) { }
            catch
            {
                signals.Match.Dispose();
                throw;
            }
            lock (_jobsGate)
            {
                if (signals.Lost) throw new DBusConnectionClosedException("the bus connection to systemd closed while subscribing to job signals");
                _signals = signals;
                _everSubscribed = true;
            }
            LogSubscribed(_log);
            return signals;
        }
        finally { _subscribeOnce.Release(); }
    }

    Task CallSubscribe(CancellationToken ct)
    {
        var w = ManagerCall("Subscribe", "");
        return Call(ref w, "Subscribe", null, NoReply, null, ct);
    }

    void OnJobSignal(JobSignals signals, Notification<JobOutcome?> n)
    {
        if (n.IsCompletion)
        {
            OnSignalsLost(signals, n.CompletionReason);
            return;
        }
        if (n.Value is not { } outcome) return;
        TaskCompletionSource<JobOutcome>? waiter;
        lock (_jobsGate)
        {
            if (!_waiters.Remove(outcome.JobPath, out waiter))
            {
                _finished[outcome.JobPath] = outcome;
                _finishedOrder.Enqueue(outcome.JobPath);
                while (_finishedOrder.Count > MaxUnclaimedOutcomes) _finished.Remove(_finishedOrder.Dequeue());
            }
        }
        waiter?.TrySetResult(outcome);
    }

    // The connection is gone: jobs awaited on it can no longer learn their outcome (the signal may be
    // lost in the gap), so they fail now; the next SubscribeAsync subscribes on the new connection.
    void OnSignalsLost(JobSignals signals, Exception reason)
    {
        lock (_jobsGate)
        {
            signals.Lost = true;
            if (_signals == signals) _signals = null;
        }
        var failed = FailWaiters(new DBusConnectionClosedException($"the bus connection to systemd closed while a job was awaited: {reason.Message}", reason));
        if (!Volatile.Read(ref _disposed)) LogConnectionLost(_log, reason.Message, failed);
    }

    int FailWaiters(Exception error)
    {
        List<TaskCompletionSource<JobOutcome>> all;
        lock (_jobsGate) { all = _waiters.Values.ToList(); _waiters.Clear(); }
        foreach (var w in all) w.TrySetException(error);
        return all.Count;
    }

    /// <summary>Awaits the end of job <paramref name="jobPath"/>. Requires <see cref="SubscribeAsync"/> before the job was queued.</summary>
    public Task<JobOutcome> WaitForJobAsync(string jobPath, TimeSpan timeout, CancellationToken ct = default) => WaitAsync(jobPath, null, timeout, ct);

    async Task<JobOutcome> WaitAsync(string jobPath, JobSignals? queuedUnder, TimeSpan timeout, CancellationToken ct)
    {
        TaskCompletionSource<JobOutcome> tcs;
        lock (_jobsGate)
        {
            if (_finished.Remove(jobPath, out var done)) return done;
            if (_signals is null || (queuedUnder is not null && queuedUnder != _signals))
            {
                if (!_everSubscribed) throw new InvalidOperationException("call SubscribeAsync before queuing jobs you wait for");
                throw new DBusConnectionClosedException($"the bus connection to systemd was lost after job {jobPath} was queued; its outcome cannot be awaited");
            }
            if (!_waiters.TryGetValue(jobPath, out tcs!))
                _waiters[jobPath] = tcs = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            return await tcs.Task.WaitAsync(timeout, _o.TimeProvider, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new SystemdTimeoutException($"job {jobPath} did not finish within {timeout}");
        }
        finally
        {
            lock (_jobsGate) _waiters.Remove(jobPath);
        }
    }

    /// <summary>StartTransientUnit, then wait for its start job. The outcome is a value: callers decide what a failure means.</summary>
    public async Task<JobOutcome> StartTransientUnitAndWaitAsync(string name, string mode, IEnumerable<Units.UnitProperty> properties,
        TimeSpan timeout, CancellationToken ct = default)
    {
        var signals = await EnsureSubscribedAsync(ct).ConfigureAwait(false);
        var job = await StartTransientUnitAsync(name, mode, properties, timeout, ct).ConfigureAwait(false);
        return await WaitAsync(job, signals, timeout, ct).ConfigureAwait(false);
    }

    public async Task<JobOutcome> StopUnitAndWaitAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        var signals = await EnsureSubscribedAsync(ct).ConfigureAwait(false);
        var job = await StopUnitAsync(name, "replace", timeout, ct).ConfigureAwait(false);
        return await WaitAsync(job, signals, timeout, ct).ConfigureAwait(false);
    }
}
