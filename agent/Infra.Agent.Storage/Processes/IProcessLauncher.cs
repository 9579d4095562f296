namespace Infra.Agent.Storage.Processes;

/// <summary>
/// How storage daemons are started. Today a plain child process; later a systemd transient unit, so
/// the daemon outlives an agent restart. Callers only need a PID, an exit wait and a stop.
/// </summary>
public interface IProcessLauncher
{
    Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default);
}

/// <summary>What to run. Name is a stable label (a unit name later), unique per host.</summary>
public sealed record ProcessSpec(string Name, string FileName, IReadOnlyList<string> Arguments);

public interface IManagedProcess : IAsyncDisposable
{
    int Pid { get; }
    bool HasExited { get; }
    /// <summary>Last lines the process wrote to stderr, for error messages.</summary>
    string StderrTail { get; }
    Task<int> WaitForExitAsync(CancellationToken ct = default);
    /// <summary>SIGTERM, then SIGKILL after the grace period.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken ct = default);
}
