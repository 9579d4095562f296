using System.Runtime.CompilerServices;
using System.Text.Json;
using Infra.Agent.Compute.Monitor;
using Infra.Qmp;

namespace Infra.Agent.Vm.Monitor;

/// <summary>
/// <see cref="IVmMonitor"/> over one <see cref="QmpClient"/>. The run state is pushed, not polled:
/// the monitor subscribes to events before it asks query-status once, then follows STOP, RESUME,
/// SHUTDOWN and RESET, so <see cref="QueryStatusAsync"/> answers from what qemu last announced and
/// a state change is seen the moment qemu reports it. <see cref="StopAsync"/> and
/// <see cref="ContAsync"/> return when the matching event has arrived, not merely when the command
/// was accepted: "running" means qemu said RESUME. Disk hot-plug is in <c>QmpVmMonitor.Disks.cs</c>.
/// </summary>
public sealed partial class QmpVmMonitor : IVmMonitor
{
    private static readonly TimeSpan StateEventTimeout = TimeSpan.FromSeconds(15);
    private readonly QmpEventSubscription _tracking;
    private readonly Task _pump;
    private readonly object _gate = new();
    private VmRunStatus? _status;
    private long _events;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private QmpVmMonitor(QmpClient client)
    {
        Client = client;
        _tracking = client.Subscribe(IsStateEvent);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The QMP connection, for what compute does not model (group snapshots).</summary>
    public QmpClient Client { get; }

    /// <summary>The state qemu last announced (null until known).</summary>
    public VmRunStatus? LastStatus { get { lock (_gate) return _status; } }

    /// <summary>Wraps a connected client: subscribes first, then reads the current state once.</summary>
    public static async Task<QmpVmMonitor> StartAsync(QmpClient client, CancellationToken ct)
    {
        var m = new QmpVmMonitor(client);
        try
        {
            long before;
            lock (m._gate) before = m._events;
            var s = await m.QueryAsync(ct).ConfigureAwait(false);
            // An event that arrived while the query was in flight is newer than its answer.
            lock (m._gate) if (m._events == before) m.SetLocked(s);
            return m;
        }
        catch
        {
            await m.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsStateEvent(string name) => name is "STOP" or "RESUME" or "SHUTDOWN" or "RESET";

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var e in _tracking.Reader.ReadAllAsync().ConfigureAwait(false))
                lock (_gate)
                {
                    _events++;
                    switch (e.Name)
                    {
                        case "STOP": SetLocked(new VmRunStatus(false, "paused")); break;
                        case "RESUME": SetLocked(new VmRunStatus(true, "running")); break;
                        case "SHUTDOWN": SetLocked(new VmRunStatus(false, "shutdown")); break;
                        // A reset keeps the run state; it is still a change worth waking waiters for.
                        case "RESET": SetLocked(_status ?? new VmRunStatus(true, "running")); break;
                    }
                }
        }
        catch (Exception) { /* the subscription ends with the connection */ }
        lock (_gate) _changed.TrySetResult();
    }

    private void SetLocked(VmRunStatus s)
    {
        _status = s;
        var old = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Waits until qemu has announced a state that satisfies <paramref name="want"/>.</summary>
    public async Task<VmRunStatus> WaitForStatusAsync(Func<VmRunStatus, bool> want, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_status is { } s && want(s)) return s;
                if (_pump.IsCompleted) throw new QmpConnectionClosedException("QMP connection closed while waiting for a state change");
                changed = _changed.Task;
            }
            try { await changed.WaitAsync(timer.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"qemu announced no matching state within {timeout.TotalSeconds:0.#} s (last: {LastStatus?.Status ?? "unknown"})");
            }
        }
    }

    /// <inheritdoc/>
    public async Task<VmRunStatus> QueryStatusAsync(CancellationToken ct)
    {
        if (LastStatus is { } s) return s;
        s = await QueryAsync(ct).ConfigureAwait(false);
        lock (_gate) _status ??= s;
        return s;
    }

    private async Task<VmRunStatus> QueryAsync(CancellationToken ct)
    {
        var r = await Client.ExecuteAsync("query-status", ct: ct).ConfigureAwait(false);
        return new VmRunStatus(r.GetProperty("running").GetBoolean(), r.GetProperty("status").GetString() ?? "unknown");
    }

    /// <inheritdoc/>
    public Task ChangeMediumAsync(string deviceId, string path, CancellationToken ct) =>
        // force: the guest locks the tray while it has the CD mounted; the swap must not wait for it.
        Client.ExecuteAsync("blockdev-change-medium", new Dictionary<string, object>
        {
            ["id"] = deviceId, ["filename"] = path, ["format"] = "raw", ["read-only-mode"] = "read-only", ["force"] = true,
        }, ct: ct);

    public Task SystemPowerdownAsync(CancellationToken ct) => Client.ExecuteAsync("system_powerdown", ct: ct);

    /// <inheritdoc/>
    public async Task SystemResetAsync(CancellationToken ct)
    {
        using var sub = Client.Subscribe(n => n == "RESET");
        await Client.ExecuteAsync("system_reset", ct: ct).ConfigureAwait(false);
        await sub.WaitForAsync("RESET", StateEventTimeout, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken ct)
    {
        await Client.ExecuteAsync("stop", ct: ct).ConfigureAwait(false);
        await WaitForStatusAsync(s => !s.Running, StateEventTimeout, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task ContAsync(CancellationToken ct)
    {
        await Client.ExecuteAsync("cont", ct: ct).ConfigureAwait(false);
        await WaitForStatusAsync(s => s.Running, StateEventTimeout, ct).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task QuitAsync(CancellationToken ct)
    {
        // qemu may close the socket before its reply reaches us: the quit happened either way.
        try { await Client.ExecuteAsync("quit", ct: ct).ConfigureAwait(false); }
        catch (QmpConnectionClosedException) { }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<VmEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var e in Client.Events(ct).ConfigureAwait(false))
            yield return new VmEvent(e.Name, e.Data.ValueKind == JsonValueKind.Undefined ? "{}" : e.Data.GetRawText());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _tracking.Dispose();
        await Client.DisposeAsync().ConfigureAwait(false);
        try { await _pump.ConfigureAwait(false); } catch (Exception) { }
    }
}
