using Infra.Processes;

namespace Infra.Agent.Storage.Processes;

/// <summary>
/// How storage daemons are started. The agent uses a transient systemd unit (Infra.Agent.Vm's
/// SystemdProcessLauncher) or, without systemd, <see cref="DetachedProcessLauncher"/>; both let the
/// daemon outlive an agent restart. <see cref="ChildProcessLauncher"/> ties it to this process
/// (tests, dev). Callers only need a PID, an exit wait and a stop (Infra.Processes' IManagedProcess).
/// </summary>
public interface IProcessLauncher
{
    Task<IManagedProcess> StartAsync(ProcessSpec spec, CancellationToken ct = default);
}

/// <summary>What to run. Name is a stable label, unique per host: the unit name under systemd, the log file's name otherwise.</summary>
public sealed record ProcessSpec(string Name, string FileName, IReadOnlyList<string> Arguments);
