using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Runners;

/// <summary>
/// Runs a VM's qemu process so that it outlives the agent: the agent can be killed, upgraded or
/// restarted and every VM keeps running. Two implementations, chosen by config:
/// <see cref="SystemdUnitRunner"/> (a transient unit per VM, the production path) and
/// <see cref="SupervisedChildRunner"/> (hosts without systemd as PID 1: a detached process in a
/// cgroup the agent made).
/// </summary>
public interface IVmRunner
{
    /// <summary>Starts qemu with <paramref name="argv"/> (binary first) inside its resource limits; returns qemu's PID once its pidfile exists.</summary>
    Task<int> StartAsync(VmDefinition vm, IReadOnlyList<string> argv, VmResources resources, VmPaths paths, CancellationToken ct);
    /// <summary>Is the VM's qemu running, and if not, how did it end.</summary>
    Task<ProcessObservation> ObserveAsync(string vmId, VmPaths paths, CancellationToken ct);
    /// <summary>Applies new limits to a running VM (a live cpu_mhz change).</summary>
    Task SetResourcesAsync(string vmId, VmResources resources, CancellationToken ct);
    /// <summary>Kills qemu at once (SIGKILL): the last resort after QMP quit failed or timed out.</summary>
    Task KillAsync(string vmId, VmPaths paths, CancellationToken ct);
    /// <summary>Releases what the runner holds for a VM that has exited (cgroup, failed unit).</summary>
    Task ReleaseAsync(string vmId, CancellationToken ct);
}

/// <summary>What a runner sees of a VM's process.</summary>
/// <param name="Running">qemu runs and is ours for this VM.</param>
/// <param name="Pid">qemu's PID while running.</param>
/// <param name="Exit">How it ended, when known.</param>
public sealed record ProcessObservation(bool Running, int Pid, ProcessExit? Exit)
{
    /// <summary>qemu runs with this PID.</summary>
    public static ProcessObservation Alive(int pid) => new(true, pid, null);
    /// <summary>qemu is not running.</summary>
    public static ProcessObservation Gone(ProcessExit? exit) => new(false, 0, exit);
}

/// <summary>How qemu ended: an exit code or a signal.</summary>
public sealed record ProcessExit(int? ExitCode, int? Signal)
{
    /// <summary>From a shell's $? (128+n means killed by signal n).</summary>
    public static ProcessExit FromShellStatus(int status) => status > 128 && status < 160 ? new(null, status - 128) : new(status, null);

    /// <summary>qemu exits 0 when the guest powers off (or on QMP quit).</summary>
    public bool Clean => ExitCode == 0;

    /// <inheritdoc/>
    public override string ToString() => Signal is { } s ? $"killed by signal {s}{SignalName(s)}" : $"exited with status {ExitCode}";

    private static string SignalName(int s) => s switch { 9 => " (SIGKILL)", 15 => " (SIGTERM)", 6 => " (SIGABRT)", 11 => " (SIGSEGV)", _ => "" };
}

/// <summary>Starting a VM failed; the message says why and what to do.</summary>
public sealed class VmStartException(string message, Exception? inner = null) : Exception(message, inner);
