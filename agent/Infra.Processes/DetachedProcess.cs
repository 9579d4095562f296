namespace Infra.Processes;

/// <summary>
/// Starts a daemon through <see cref="Setsid"/>: the shell writes its own PID to a file and then
/// execs the daemon, so that PID is the daemon's; stdout and stderr are appended to a log file.
/// The handle polls the PID (<see cref="PidProcess"/>) and reads the log's tail for errors.
/// </summary>
public sealed class DetachedProcess : IManagedProcess
{
    private static readonly TimeSpan PidWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PidPoll = TimeSpan.FromMilliseconds(20);

    // $0 = pid file, $1 = log, then the daemon's argv.
    internal const string Script = "echo $$ > \"$0\"; log=\"$1\"; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null";

    private readonly PidProcess _process;

    private DetachedProcess(PidProcess process, string log) { _process = process; LogFile = log; }

    /// <summary>
    /// Starts <paramref name="fileName"/> detached, logging to <c>logDirectory/name.log</c>, and returns
    /// once its PID is known. <paramref name="name"/> must be unique per host.
    /// </summary>
    public static async Task<DetachedProcess> StartAsync(string name, string fileName, IReadOnlyList<string> arguments,
        string logDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(logDirectory);
        var log = Path.Combine(logDirectory, name + ".log");
        var pidFile = Path.Combine(logDirectory, name + ".launch-pid");
        File.Delete(pidFile);
        await Setsid.RunDetachedAsync(Script, pidFile, [log, fileName, .. arguments], ct).ConfigureAwait(false);

        var deadline = DateTime.UtcNow + PidWait;
        while (true)
        {
            if (ProcFs.ReadPidFile(pidFile) is { } pid)
            {
                File.Delete(pidFile);
                return new DetachedProcess(new PidProcess(pid), log);
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{name} did not start within {PidWait.TotalSeconds} s (see {log})");
            await Task.Delay(PidPoll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Where the daemon's stdout and stderr go.</summary>
    public string LogFile { get; }
    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;
    public string StderrTail
    {
        get
        {
            try { return string.Join('\n', File.ReadLines(LogFile).TakeLast(20)); }
            catch (IOException) { return $"(no log at {LogFile})"; }
        }
    }
    public Task<int> WaitForExitAsync(CancellationToken ct = default) => _process.WaitForExitAsync(ct);
    public Task StopAsync(TimeSpan grace, CancellationToken ct = default) => _process.StopAsync(grace, ct);
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
