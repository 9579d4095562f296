namespace Infra.Agent.Storage.Processes;

/// <summary>
/// How storage daemons are started. The agent uses a transient systemd unit (Infra.Agent.Vm's
/// SystemdProcessLauncher) or, without systemd, <see cref="DetachedProcessLauncher"/>; both let the
/// daemon outlive an agent restart. <see cref="ChildProcessLauncher"/> ties it to this process
/// (tests, dev). Callers only need a PID, an exit wait and a stop.
/// </summary>
public interface IProcessLauncher
{
    Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default);
}

/// <summary>What to run. Name is a stable label, unique per host: the unit name under systemd, the log file's name otherwise.</summary>
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
