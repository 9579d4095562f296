using System.Collections.Concurrent;

namespace Infra.Agent.Compute.Manager;

/// <summary>
/// Stops and deletes off the reconcile pass: each runs as its own task under its VM's gate, so five
/// deletes take as long as the slowest guest's shutdown, not the sum, and the VM is observed as busy
/// meanwhile. <see cref="BackgroundDone"/> tells the agent to run a pass at once (the VM's tap can go, its
/// status changed) instead of waiting for the reconcile interval.
/// </summary>
public sealed partial class VmManager
{
    private readonly ConcurrentDictionary<string, Task> _background = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Raised when a background stop or delete ended (with null, or the error).</summary>
    public event Action<VmAction, string?>? BackgroundDone;

    /// <summary>True while a background stop or delete of the VM runs.</summary>
    public bool IsBackground(string id) => _background.TryGetValue(id, out var t) && !t.IsCompleted;

    /// <summary>Waits for every background operation (tests, shutdown).</summary>
    public Task WhenBackgroundIdleAsync() => Task.WhenAll(_background.Values);

    private void RunInBackground(VmAction action)
    {
        var ct = _stopping.Token;
        // Registered before the task can run, so an observation right after this sees the VM busy.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await gate.Task;
            string? error = null;
            try { await ApplyAsync(action, ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { error = "cancelled: the agent is stopping"; }
            catch (Exception e)
            {
                error = e.Message;
                LogActionFailed(action.VmId, action.GetType().Name, e.Message);
            }
            _background.TryRemove(action.VmId, out _);
            try { BackgroundDone?.Invoke(action, error); } catch (Exception) { /* a handler's problem is not the VM's */ }
        });
        _background[action.VmId] = task;
        gate.SetResult();
    }

    private async Task StopBackgroundAsync()
    {
        await _stopping.CancelAsync();
        try { await WhenBackgroundIdleAsync(); } catch (Exception) { /* each logged its own failure */ }
    }
}
