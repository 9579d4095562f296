using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Manager;

/// <summary>Stopping: ACPI power button, then QMP quit, then SIGKILL, each bounded in time.</summary>
public sealed partial class VmManager
{
    private async Task StopCoreAsync(string id, TimeSpan gracefulTimeout, CancellationToken ct)
    {
        var paths = _store.PathsOf(id);
        // Record the intent first: if the agent dies mid-stop, the VM is found stopped, not crashed.
        Update(id, r => r with { StoppedOnRequest = true });
        if (!(await _runner.ObserveAsync(id, paths, ct)).Running) { await ForgetAsync(id, ct); return; }
        var monitor = (await HeldAsync(id, ct)).Monitor;

        if (gracefulTimeout > TimeSpan.Zero)
        {
            await Try(() => monitor.SystemPowerdownAsync(ct));
            if (await WaitGoneAsync(id, paths, gracefulTimeout, ct)) { LogStopped(id, "guest shut down"); await ForgetAsync(id, ct); return; }
            LogShutdownTimedOut(id, gracefulTimeout.TotalSeconds);
        }
        await Try(() => monitor.QuitAsync(ct));
        if (!await WaitGoneAsync(id, paths, _options.PowerOffTimeout, ct))
        {
            await _runner.KillAsync(id, paths, ct);
            await WaitGoneAsync(id, paths, _options.PowerOffTimeout, ct);
        }
        LogStopped(id, "powered off");
        await ForgetAsync(id, ct);
    }

    private async Task ForgetAsync(string id, CancellationToken ct)
    {
        if (_held.TryRemove(id, out var h)) await DisposeQuietly(h.Monitor);
        Update(id, r => r with { DownAs = ObservedPower.Stopped, DownReason = null });
        await _runner.ReleaseAsync(id, ct);
    }

    private async Task<bool> WaitGoneAsync(string id, VmPaths paths, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (_time.GetUtcNow() < deadline)
        {
            if (!(await _runner.ObserveAsync(id, paths, ct)).Running) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, ct);
        }
        return !(await _runner.ObserveAsync(id, paths, ct)).Running;
    }
}
