using System.Diagnostics;

namespace Infra.Grpc.Benchmarks;

public sealed record Row(string Scenario, string Client, double Rate, string Unit, double? P50Us, double? P99Us);

/// <summary>Closed-loop load: N workers each issuing the next call when the previous returns.</summary>
public static class Measure
{
    public static async Task<Row> UnaryAsync(string client, int concurrency, TimeSpan warmup, TimeSpan duration, Func<Task> call)
    {
        await RunAsync(concurrency, warmup, call, null);
        var latencies = new List<long>[concurrency];
        for (var i = 0; i < concurrency; i++) latencies[i] = new List<long>(100_000);
        var sw = Stopwatch.StartNew();
        await RunAsync(concurrency, duration, call, latencies);
        var elapsed = sw.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Pct(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(all.Length * p))] * 1_000_000.0 / Stopwatch.Frequency;
        return new Row($"unary x{concurrency}", client, all.Length / elapsed, "calls/s", Pct(0.50), Pct(0.99));
    }

    static async Task RunAsync(int concurrency, TimeSpan duration, Func<Task> call, List<long>[]? latencies)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var list = latencies?[w];
            workers[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    var start = Stopwatch.GetTimestamp();
                    await call();
                    list?.Add(Stopwatch.GetTimestamp() - start);
                }
            });
        }
        await Task.WhenAll(workers);
    }
}
