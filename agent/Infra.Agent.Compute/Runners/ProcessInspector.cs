using Infra.Processes;

namespace Infra.Agent.Compute.Runners;

/// <summary>
/// How a runner tells "our qemu for VM x" from a reused PID. The /proc reading and signalling are
/// Infra.Processes' (<see cref="ProcFs"/>, <see cref="Signals"/>); the members below that only
/// forward keep the runners' and tests' call sites short.
/// </summary>
public static class ProcessInspector
{
    /// <summary>
    /// How often a start looks for qemu's pidfile and QMP socket. qemu writes both a few ms apart
    /// and then spends tens of ms building the machine; a poll this short keeps the lag behind
    /// qemu (half the interval on average) well under that, for a few cheap syscalls per poll.
    /// </summary>
    public static readonly TimeSpan StartPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// True when <paramref name="argv"/> is a qemu system emulator started for VM <paramref name="vmId"/>
    /// with QMP at <paramref name="qmpSocket"/>: a pidfile alone can name a PID that was reused.
    /// </summary>
    public static bool IsQemuFor(IReadOnlyList<string> argv, string vmId, string qmpSocket)
    {
        if (argv.Count == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system-", StringComparison.Ordinal)) return false;
        var name = IndexAfter(argv, "-name");
        if (name is null || !name.StartsWith($"guest={Qemu.QemuCommandLine.Escape(vmId)},", StringComparison.Ordinal)) return false;
        return argv.Any(a => a.Contains($"path={Qemu.QemuCommandLine.Escape(qmpSocket)},", StringComparison.Ordinal));
    }

    /// <summary>A PID's argv; empty when the process is gone or a zombie (<see cref="ProcFs.CommandLine"/>).</summary>
    public static IReadOnlyList<string> CommandLine(int pid) => ProcFs.CommandLine(pid);

    /// <summary>Reads a pidfile; null when absent or not a number (<see cref="ProcFs.ReadPidFile"/>).</summary>
    public static int? ReadPidFile(string path) => ProcFs.ReadPidFile(path);

    /// <summary>Sends <paramref name="signal"/>; false when it was not delivered (<see cref="Signals.TrySend"/>).</summary>
    public static bool Signal(int pid, int signal) => Signals.TrySend(pid, signal);

    /// <summary>True while the PID exists and is not a zombie (<see cref="ProcFs.IsAlive"/>).</summary>
    public static bool IsAlive(int pid) => ProcFs.IsAlive(pid);

    /// <summary>Start time in clock ticks since boot (<see cref="ProcFs.StartTime"/>): differs for a reused PID.</summary>
    public static string StartTime(int pid) => ProcFs.StartTime(pid);

    private static string? IndexAfter(IReadOnlyList<string> argv, string option)
    {
        for (var i = 0; i < argv.Count - 1; i++) if (argv[i] == option) return argv[i + 1];
        return null;
    }
}
