namespace Infra.Systemd.Notify;

/// <summary>
/// The watchdog deadline systemd set for this process (WatchdogSec= → $WATCHDOG_USEC), or null when
/// none applies. As sd_watchdog_enabled(3): $WATCHDOG_PID, when set, must name this process.
/// Send WATCHDOG=1 every quarter of <see cref="Interval"/>.
/// </summary>
public sealed record WatchdogSettings(TimeSpan Interval)
{
    /// <summary>
    /// Keep-alive period: a quarter of the deadline. systemd suggests half, but then one tick that finds
    /// the service briefly unhealthy (a slow store read on a loaded host) or a late timer leaves the next
    /// pet at the deadline itself; at a quarter, one missed pet still leaves half the deadline to spare.
    /// </summary>
    public TimeSpan PingEvery => Interval / 4;

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
