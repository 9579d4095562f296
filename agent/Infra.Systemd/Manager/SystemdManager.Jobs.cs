using Infra.DBus;
using Infra.DBus.Client;
using Infra.DBus.Wire;

namespace Infra.Systemd.Manager;

public sealed partial class SystemdManager
{
    // JobRemoved may be dispatched before the caller has the job path in hand (the reply and the
    // signal race through the read loop), so outcomes are kept until claimed, bounded in number.
    const int MaxUnclaimedOutcomes = 4096;
    readonly object _jobsGate = new();
    readonly Dictionary<string, JobOutcome> _finished = new();
    readonly Queue<string> _finishedOrder = new();
    readonly Dictionary<string, TaskCompletionSource<JobOutcome>> _waiters = new();
    IAsyncDisposable? _jobSubscription;
    readonly SemaphoreSlim _subscribeOnce = new(1, 1);

    /// <summary>
    /// Routes JobRemoved to this client and asks systemd to emit it (Manager.Subscribe). Idempotent;
    /// call before starting jobs you intend to wait for.
    /// </summary>
    public async Task SubscribeAsync(CancellationToken ct = default)
    {
        await _subscribeOnce.WaitAsync(ct);
        try
        {
            if (_jobSubscription is not null) return;
            _jobSubscription = await _bus.AddMatchAsync(new MatchRule
            {
                Sender = Service, Interface = ManagerInterface, Member = "JobRemoved", Path = ManagerPath,
            }, OnJobRemoved, ct);
            _ = _bus.Closed.ContinueWith(_ => FailWaiters(), TaskScheduler.Default);
            try { await _bus.CallMethodAsync(Service, ManagerPath, ManagerInterface, "Subscribe", "", [], null, ct); }
            catch (DBusErrorException e) when (e.ErrorName == SystemdErrorNames.AlreadySubscribed) { }
        }
        finally { _subscribeOnce.Release(); }
    }

    void OnJobRemoved(DBusMessage m)
    {
        if (m.Signature != "uoss") return;
        var outcome = new JobOutcome(((ObjectPath)m.Body[1]).Value, (string)m.Body[2], JobOutcome.ParseResult((string)m.Body[3]));
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

    void FailWaiters()
    {
        List<TaskCompletionSource<JobOutcome>> all;
        lock (_jobsGate) { all = _waiters.Values.ToList(); _waiters.Clear(); }
        foreach (var w in all) w.TrySetException(new DBusConnectionClosedException("the bus closed while a job was awaited"));
    }

    /// <summary>Awaits the end of job <paramref name="jobPath"/>. Requires <see cref="SubscribeAsync"/> before the job was queued.</summary>
    public async Task<JobOutcome> WaitForJobAsync(string jobPath, TimeSpan timeout, CancellationToken ct = default)
    {
        if (_jobSubscription is null) throw new InvalidOperationException("call SubscribeAsync before queuing jobs you wait for");
        TaskCompletionSource<JobOutcome> tcs;
        lock (_jobsGate)
        {
            if (_finished.Remove(jobPath, out var done)) return done;
            if (!_waiters.TryGetValue(jobPath, out tcs!))
                _waiters[jobPath] = tcs = new TaskCompletionSource<JobOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            if (_bus.IsClosed) throw new DBusConnectionClosedException($"the bus is closed; job {jobPath} cannot be awaited");
            return await tcs.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new DBusTimeoutException($"job {jobPath} did not finish within {timeout}");
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
        await SubscribeAsync(ct);
        var job = await StartTransientUnitAsync(name, mode, properties, timeout, ct);
        return await WaitForJobAsync(job, timeout, ct);
    }

    public async Task<JobOutcome> StopUnitAndWaitAsync(string name, TimeSpan timeout, CancellationToken ct = default)
    {
        await SubscribeAsync(ct);
        var job = await StopUnitAsync(name, "replace", timeout, ct);
        return await WaitForJobAsync(job, timeout, ct);
    }
}
