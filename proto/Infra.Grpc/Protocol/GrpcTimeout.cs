using System.Globalization;

namespace Infra.Grpc.Protocol;

/// <summary>The grpc-timeout header: at most 8 ASCII digits then a unit (H M S m u n).</summary>
public static class GrpcTimeout
{
    const long MaxValue = 99_999_999;

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9) return false;
        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits) if (c is < '0' or > '9') return false;
        var n = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = n * TimeSpan.TicksPerHour; break;
            case 'M': ticks = n * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = n * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = n * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = n * 10; break;
            case 'n': ticks = n / 100; break;
            default: return false;
        }
        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>Formats with the finest unit that fits in 8 digits, rounding up so the server never
    /// sees a later deadline than the client's. Non-positive timeouts become "1n" (already expired).</summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = timeout.Ticks;
        if (ticks <= 0) return "1n";
        if (ticks <= MaxValue / 100) return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        var us = CeilDiv(ticks, 10);
        if (us <= MaxValue) return us.ToString(CultureInfo.InvariantCulture) + "u";
        var ms = CeilDiv(ticks, TimeSpan.TicksPerMillisecond);
        if (ms <= MaxValue) return ms.ToString(CultureInfo.InvariantCulture) + "m";
        var s = CeilDiv(ticks, TimeSpan.TicksPerSecond);
        if (s <= MaxValue) return s.ToString(CultureInfo.InvariantCulture) + "S";
        var m = CeilDiv(ticks, TimeSpan.TicksPerMinute);
        if (m <= MaxValue) return m.ToString(CultureInfo.InvariantCulture) + "M";
        return Math.Min(CeilDiv(ticks, TimeSpan.TicksPerHour), MaxValue).ToString(CultureInfo.InvariantCulture) + "H";
    }

    static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
