namespace Infra.Systemd.Notify;

/// <summary>
/// The watchdog deadline systemd set for this process (WatchdogSec= → $WATCHDOG_USEC), or null when
/// none applies. As sd_watchdog_enabled(3): $WATCHDOG_PID, when set, must name this process.
/// Send WATCHDOG=1 at about half of <see cref="Interval"/>.
/// </summary>
public sealed record WatchdogSettings(TimeSpan Interval)
{
    /// <summary>Suggested keep-alive period: half the deadline, as systemd recommends.</summary>
    public TimeSpan PingEvery => Interval / 2;

    public static WatchdogSettings? FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    public static WatchdogSettings? Parse(string? usec, string? pid, int ownPid)
    {
        if (string.IsNullOrEmpty(usec)) return null;
        if (!ulong.TryParse(usec, out var us) || us == 0 || us > (ulong)TimeSpan.MaxValue.Ticks / 10)
            throw new FormatException($"WATCHDOG_USEC '{usec}' is not a positive number of microseconds");
        if (!string.IsNullOrEmpty(pid))
        {
            if (!int.TryParse(pid, out var p) || p <= 0) throw new FormatException($"WATCHDOG_PID '{pid}' is not a process id");
            if (p != ownPid) return null; // meant for another process (e.g. our parent)
        }
        return new WatchdogSettings(TimeSpan.FromTicks((long)us * 10));
    }
}
