using System.Globalization;

namespace Infra.Agent.Core.Inventory;

/// <summary>What the host's CPUs offer guests.</summary>
/// <param name="Cores">Logical CPUs (what vCPU threads are scheduled on).</param>
/// <param name="MhzPerCore">Nominal MHz of one core (0 when unknown).</param>
public sealed record CpuInfo(int Cores, int MhzPerCore);

/// <summary>
/// Pure parsers for /proc/cpuinfo and sysfs. The nominal clock is what CPU is sold by, so
/// cpufreq's cpuinfo_max_freq (kHz) wins when present; /proc/cpuinfo's "cpu MHz" is the current,
/// scaling clock and is used (as the highest seen) only when sysfs has nothing, e.g. in most VMs.
/// </summary>
public static class CpuInfoParser
{
    /// <summary>Parses /proc/cpuinfo text.</summary>
    public static CpuInfo Parse(string procCpuinfo, string? sysfsMaxFreqKhz = null)
    {
        var cores = 0;
        double mhz = 0;
        foreach (var raw in procCpuinfo.Split('\n'))
        {
            var colon = raw.IndexOf(':');
            if (colon < 0) continue;
            var key = raw[..colon].Trim();
            var value = raw[(colon + 1)..].Trim();
            if (key == "processor") cores++;
            else if (key == "cpu MHz" && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)) mhz = Math.Max(mhz, m);
            // ARM and some hypervisors give no "cpu MHz"; BogoMIPS is no clock, so it is not used.
        }
        if (sysfsMaxFreqKhz is { } s && long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var khz) && khz > 0)
            mhz = khz / 1000.0;
        return new CpuInfo(cores, (int)Math.Round(mhz));
    }

    /// <summary>MemTotal from /proc/meminfo in MiB (0 when absent).</summary>
    public static ulong ParseMemTotalMib(string procMeminfo)
    {
        foreach (var line in procMeminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var parts = line["MemTotal:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && ulong.TryParse(parts[0], CultureInfo.InvariantCulture, out var kb)) return kb / 1024;
        }
        return 0;
    }
}
