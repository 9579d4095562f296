using System.Globalization;
using Infra.Ctl.Errors;

namespace Infra.Ctl.Cli;

/// <summary>"30s", "2m", "500ms", "1h" or plain seconds ("45").</summary>
public static class Durations
{
    public static TimeSpan Parse(string text, string flag)
    {
        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = t.EndsWith("ms") ? (t[..^2], 0.001) : t.EndsWith('s') ? (t[..^1], 1.0)
            : t.EndsWith('m') ? (t[..^1], 60.0) : t.EndsWith('h') ? (t[..^1], 3600.0) : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0 || double.IsInfinity(n))
            throw new UsageException($"{flag} '{text}' is not a positive duration like 30s, 2m, 500ms or 45");
        return TimeSpan.FromSeconds(n * unit);
    }

    public static string Format(TimeSpan t) =>
        t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0}ms" : t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#}s" : $"{t.TotalMinutes:0.#}m";
}

/// <summary>Sizes: memory in MiB ("2048", "512M", "2G", "2Gi") and bytes shown to people.</summary>
public static class Sizes
{
    public static ulong ParseMiB(string text, string flag)
    {
        var t = text.Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        var mult = t.EndsWith('G') ? 1024UL : t.EndsWith('T') ? 1024UL * 1024 : 1UL;
        if (t.EndsWith('G') || t.EndsWith('M') || t.EndsWith('T')) t = t[..^1];
        if (!ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0)
            throw new UsageException($"{flag} '{text}' is not a size like 2048 (MiB), 512M or 4G");
        return n * mult;
    }

    public static string Bytes(ulong b)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = b;
        var u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{b}B" : v.ToString(v >= 100 || v == Math.Floor(v) ? "0" : "0.#", CultureInfo.InvariantCulture) + units[u];
    }
}
