namespace Infra.Processes;

/// <summary>
/// A daemon known only by its PID: one we started detached, or one found running by its pidfile
/// after an agent restart (adopted, not restarted). It is not our child, so we cannot wait on it:
/// exit is observed by polling /proc, a zombie counting as exited.
/// </summary>
public sealed class PidProcess(int pid) : IManagedProcess
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public int Pid { get; } = pid;
    public string StderrTail => "";

    /// <summary>Reads a pidfile; null if missing, unparsable or the process is gone.</summary>
    public static PidProcess? FromPidFile(string path) =>
        ProcFs.ReadPidFile(path) is { } pid && ProcFs.IsAlive(pid) ? new PidProcess(pid) : null;

    public bool HasExited => !ProcFs.IsAlive(Pid);

    public async Task<int> WaitForExitAsync(CancellationToken ct = default)
    {
        while (!HasExited) await Task.Delay(Poll, ct).ConfigureAwait(false);
        return -1; // not our child: the exit code is not ours to read
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken ct = default)
    {
        if (HasExited) return;
        _ = Signals.Send(Pid, Signals.Term);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(grace);
        try { await WaitForExitAsync(timer.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _ = Signals.Send(Pid, Signals.Kill);
            await WaitForExitAsync(ct).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(TimeSpan.FromSeconds(5)));
}
