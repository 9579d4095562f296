namespace Infra.Processes;

/// <summary>A running daemon, however it was started: a PID, an exit wait and a stop.</summary>
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
