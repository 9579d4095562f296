namespace Infra.Processes;

/// <summary>
/// Reads /proc: whether a PID runs, its argv and start time, and pidfiles. A pidfile alone can name a
/// PID that was reused by another process; callers check argv (and, across restarts, the start time)
/// before they trust or signal it.
/// </summary>
public static class ProcFs
{
    /// <summary>The PID's stat fields; null when the process is gone (or /proc is unreadable).</summary>
    public static ProcStat? Stat(int pid)
    {
        if (pid <= 0) return null;
        try { return ProcStat.Parse(File.ReadAllText($"/proc/{pid}/stat")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True while the PID exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { IsAlive: true };

    /// <summary>
    /// When the process started, in clock ticks since boot (stat field 22), as text; a process that
    /// reuses a dead one's PID has a different start time. Throws when the process is gone.
    /// </summary>
    public static string StartTime(int pid) =>
        Stat(pid)?.StartTime.ToString(System.Globalization.CultureInfo.InvariantCulture)
        ?? throw new InvalidOperationException($"process {pid} does not exist; it has no start time");

    /// <summary>A PID's argv from /proc/&lt;pid&gt;/cmdline; empty when the process is gone or a zombie.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        if (pid <= 0) return [];
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    /// <summary>Reads a pidfile; null when absent, unreadable or not a positive number.</summary>
    public static int? ReadPidFile(string path)
    {
        // Callers poll this while a daemon starts: a missing file is the common case, not worth an exception.
        if (!File.Exists(path)) return null;
        try { return ParsePid(File.ReadAllText(path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>A pidfile's content as a PID; null unless it is a positive number.</summary>
    public static int? ParsePid(string text) => int.TryParse(text.Trim(), out var pid) && pid > 0 ? pid : null;
}
