using System.Runtime.InteropServices;

namespace Infra.Agent.Compute.Runners;

/// <summary>Reads /proc and sends signals: how a runner tells "our qemu for VM x" from a reused PID.</summary>
public static class ProcessInspector
{
    /// <summary>
    /// How often a start looks for qemu's pidfile and QMP socket. qemu writes both a few ms apart
    /// and then spends tens of ms building the machine; a poll this short keeps the lag behind
    /// qemu (half the interval on average) well under that, for a few cheap syscalls per poll.
    /// </summary>
    public static readonly TimeSpan StartPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>A PID's argv from /proc/&lt;pid&gt;/cmdline; empty when the process is gone or a zombie.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

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

    /// <summary>Reads a pidfile; null when absent or not a number.</summary>
    public static int? ReadPidFile(string path)
    {
        // Runners poll this while qemu starts: a missing file is the common case, not worth an exception.
        if (!File.Exists(path)) return null;
        try { return int.TryParse(File.ReadAllText(path).Trim(), out var pid) && pid > 0 ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process does not exist.</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    /// <summary>True while the PID exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Field 22 of /proc/pid/stat: when the process started, in clock ticks since boot. A process
    /// that reuses a dead one's PID has a different start time.
    /// </summary>
    public static string StartTime(int pid)
    {
        var s = File.ReadAllText($"/proc/{pid}/stat");
        return s[(s.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    private static string? IndexAfter(IReadOnlyList<string> argv, string option)
    {
        for (var i = 0; i < argv.Count - 1; i++) if (argv[i] == option) return argv[i + 1];
        return null;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
