using Infra.Agent.Core.State;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Apply;

/// <summary>The outcome of one apply pass.</summary>
/// <param name="Version">The snapshot version applied.</param>
/// <param name="Errors">Objects that failed (empty: everything converged).</param>
public sealed record ApplyOutcome(ulong Version, IReadOnlyList<ResourceError> Errors);

/// <summary>
/// Applies desired snapshots, one pass at a time, always the latest: a snapshot submitted while a
/// pass runs replaces any other waiting one, and is applied once the pass ends (intermediate versions
/// are skipped; their waiters complete with the newer outcome, which supersedes them). Between
/// submissions the current snapshot is re-applied every interval, so the host keeps converging on its
/// last desired state while the controller is away (a crashed VM's diagnosis, a deleted OVS port).
/// A loop started held (<see cref="Held"/>: the saved state was damaged) runs no pass at all, so it
/// stops nothing and adopts what runs as it is, until the first submission (a full state from the
/// controller) lifts the hold.
/// </summary>
public sealed partial class ApplyLoop : IAsyncDisposable
{
    private readonly IReadOnlyList<IResourceApplier> _appliers;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<(ulong Version, TaskCompletionSource<ApplyOutcome> Done)> _waiters = [];
    private DesiredSnapshot _current;
    private bool _dirty;
    private bool _requested;
    private Task _loop = Task.CompletedTask;

    /// <summary>A loop over <paramref name="appliers"/>, starting from <paramref name="initial"/> (the persisted snapshot).</summary>
    /// <param name="held">Why the loop must not enforce <paramref name="initial"/> (null: it does); see <see cref="Held"/>.</param>
    public ApplyLoop(IReadOnlyList<IResourceApplier> appliers, DesiredSnapshot initial, TimeSpan interval, TimeProvider time, ILogger log, string? held = null)
    {
        (_appliers, _current, _interval, _time, _log, _held) = (appliers, initial, interval, time, log, held);
    }

    /// <summary>The latest snapshot submitted (applied or about to be).</summary>
    public DesiredSnapshot Current { get { lock (_lock) return _current; } }

    /// <summary>The outcome of the last pass, or null before the first.</summary>
    public ApplyOutcome? LastOutcome { get; private set; }

    /// <summary>
    /// When the pass now running started (null between passes). A pass that runs far longer than
    /// any step it takes is hung; the daemon stops petting systemd's watchdog then.
    /// </summary>
    public DateTimeOffset? PassRunningSince => Volatile.Read(ref _passStartedTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    private long _passStartedTicks; // UTC ticks, 0 between passes; a long so the watchdog reads it whole

    /// <summary>Raised after every pass (including periodic ones).</summary>
    public event Action<ApplyOutcome>? Applied;

    /// <summary>Starts the loop; the first pass applies the initial snapshot at once.</summary>
    public void Start()
    {
        lock (_lock) _dirty = _held is null;
        if (_held is { } why) LogHeld(why);
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _wake.Release();
    }

    /// <summary>Makes <paramref name="snapshot"/> the state to apply; completes when it (or a newer one) was applied.</summary>
    public Task<ApplyOutcome> SubmitAsync(DesiredSnapshot snapshot)
    {
        var done = new TaskCompletionSource<ApplyOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_held is not null) LogHoldLifted(snapshot.Version);
            _held = null;
            _current = snapshot;
            _dirty = true;
            _waiters.Add((snapshot.Version, done));
        }
        _wake.Release();
        return done.Task;
    }

    /// <summary>
    /// Runs a pass of the current snapshot soon (as the periodic one would), e.g. when a background VM
    /// delete finished and its tap can go; many requests before the pass starts make one pass.
    /// </summary>
    public void RequestPass()
    {
        lock (_lock) _requested = true;
        _wake.Release();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            bool woken;
            try { woken = await _wake.WaitAsync(_interval, ct); }
            catch (OperationCanceledException) { break; }
            DesiredSnapshot snap;
            bool periodic;
            lock (_lock)
            {
                if (_held is not null) { _requested = false; continue; }   // nothing trustworthy to enforce: touch nothing
                periodic = !_dirty;
                if (woken && !_dirty && !_requested) continue;   // a wake whose submission an earlier pass already took
                _requested = false;
                snap = _current;
                _dirty = false;
            }
            Volatile.Write(ref _passStartedTicks, _time.GetUtcNow().UtcTicks);
            var outcome = await PassAsync(snap, periodic, ct);
            Volatile.Write(ref _passStartedTicks, 0);
            if (outcome is null) break;
            LastOutcome = outcome;
            List<TaskCompletionSource<ApplyOutcome>> done;
            lock (_lock)
            {
                done = _waiters.Where(w => w.Version <= outcome.Version).Select(w => w.Done).ToList();
                _waiters.RemoveAll(w => w.Version <= outcome.Version);
            }
            foreach (var d in done) d.TrySetResult(outcome);
            try { Applied?.Invoke(outcome); } catch (Exception e) { LogHandlerFailed(e.Message); }
        }
        lock (_lock) foreach (var w in _waiters) w.Done.TrySetCanceled();
    }

    private async Task<ApplyOutcome?> PassAsync(DesiredSnapshot snap, bool periodic, CancellationToken ct)
    {
        if (!periodic && snap.Version > 0) await TestHooks.ReachAsync(TestHooks.BeforeApply, ct);
        var errors = new List<ResourceError>();
        foreach (var a in _appliers)
        {
            try { errors.AddRange(await a.ApplyAsync(snap, periodic, ct)); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return null; }
            catch (Exception e)
            {
                // An applier that throws broke an invariant; the others still run, and the next pass retries.
                LogApplierFailed(a.Name, snap.Version, e.ToString());
                errors.Add(new ResourceError { Ref = new ResourceRef(), Error = $"{a.Name}: {e.Message}" });
            }
        }
        if (periodic && errors.Count == 0) LogEnforced(snap.Version);
        else if (errors.Count == 0) LogApplied(snap.Version, snap.Resources.Count);
        else LogApplyErrors(snap.Version, errors.Count, string.Join("; ", errors.Take(5).Select(e => $"{e.Ref?.Kind}/{e.Ref?.Id}: {e.Error}")));
        return new ApplyOutcome(snap.Version, errors);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
