using System.Runtime.InteropServices;

namespace Infra.Agent.Storage.Processes;

/// <summary>
/// A daemon found running (by its pid file) rather than started by us: after an agent restart the
/// storage daemons are adopted, not restarted. Exit is observed by polling /proc, since it is not
/// our child and we cannot wait on it.
/// </summary>
public sealed class PidProcess(int pid) : IManagedProcess
{
    public int Pid { get; } = pid;
    public string StderrTail => "";

    /// <summary>Reads a pid file; null if missing, unparsable or the process is gone.</summary>
    public static PidProcess? FromPidFile(string path)
    {
        if (!File.Exists(path) || !int.TryParse(File.ReadAllText(path).Trim(), out var pid)) return null;
        var p = new PidProcess(pid);
        return p.HasExited ? null : p;
    }

    public bool HasExited
    {
        get
        {
            try
            {
                // Field 3 of /proc/PID/stat is the state; a zombie has exited but is not yet reaped.
                var stat = File.ReadAllText($"/proc/{Pid}/stat");
                var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
                return state is "Z" or "X";
            }
            catch (IOException) { return true; }
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken ct = default)
    {
        while (!HasExited) await Task.Delay(50, ct).ConfigureAwait(false);
        return -1; // not our child: the exit code is not ours to read
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken ct = default)
    {
        if (HasExited) return;
        _ = Kill(Pid, 15);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(grace);
        try { await WaitForExitAsync(timer.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _ = Kill(Pid, 9);
            await WaitForExitAsync(ct).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(TimeSpan.FromSeconds(5)));

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
