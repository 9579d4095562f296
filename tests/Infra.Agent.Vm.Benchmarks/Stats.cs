namespace Infra.Agent.Vm.Benchmarks;

/// <summary>Quantiles of samples and a process's resident memory.</summary>
internal static class Stats
{
    public static double Quantile(IEnumerable<TimeSpan> xs, double q)
    {
        var s = xs.Select(x => x.TotalMilliseconds).Order().ToArray();
        return s[(int)Math.Min(s.Length - 1, Math.Floor(q * s.Length))];
    }

    public static double Median(IEnumerable<TimeSpan> xs) => Quantile(xs, 0.5);

    public static string Ms(IEnumerable<TimeSpan> xs, double q) => Quantile(xs, q).ToString("0.0");

    /// <summary>VmRSS of <paramref name="pid"/> in KiB.</summary>
    public static long RssKb(int pid) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:"))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();
}
