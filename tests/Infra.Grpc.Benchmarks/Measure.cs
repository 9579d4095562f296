using System.Diagnostics;

namespace Infra.Grpc.Benchmarks;

public sealed record Row(string Scenario, string Client, double Rate, string Unit, double? P50Us, double? P99Us)
{
    public double? P999Us { get; init; }
    public double? MaxUs { get; init; }
    /// <summary>Runtime counters of the client process over the measured interval (ours only).</summary>
    public Counters? Counters { get; init; }
}

/// <summary>What the client process's runtime did while the calls ran: the suspects for a latency tail.</summary>
public sealed record Counters(double AllocPerCall, int Gen0, int Gen1, int Gen2, double GcPauseMs, double MaxGcPauseMs,
    long LockContentions, double QueueAvg, long QueueMax, int Threads, double CpuUsPerCall, double P99NoGcUs, double P99WithGcUs)
{
    /// <summary>What the last GC of the interval kept alive, and how many objects awaited their finalizer:
    /// per-call objects that survive (or are finalizable) turn cheap gen0 GCs into long gen1 ones.</summary>
    public double PromotedKB { get; init; }
    public long FinalizersPending { get; init; }
}

/// <summary>Closed-loop load: N workers each issuing the next call when the previous returns.</summary>
public static class Measure
{
    public static async Task<Row> UnaryAsync(string client, int concurrency, TimeSpan warmup, TimeSpan duration, Func<Task> call)
    {
        await RunAsync(concurrency, warmup, call, null, null);
        var latencies = new List<long>[concurrency];
        var gcSeen = new List<bool>[concurrency];
        for (var i = 0; i < concurrency; i++) { latencies[i] = new List<long>(200_000); gcSeen[i] = new List<bool>(200_000); }
        GC.Collect();
        using var sampler = new QueueSampler();
        var before = Snapshot.Take();
        var sw = Stopwatch.StartNew();
        await RunAsync(concurrency, duration, call, latencies, gcSeen);
        var elapsed = sw.Elapsed.TotalSeconds;
        var after = Snapshot.Take();
        sampler.Stop();
        var lastGc = GC.GetGCMemoryInfo(GCKind.Any);

        var all = new List<(long Ticks, bool Gc)>();
        for (var w = 0; w < concurrency; w++)
            for (var i = 0; i < latencies[w].Count; i++) all.Add((latencies[w][i], gcSeen[w][i]));
        all.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
        var n = all.Count;
        var counters = new Counters(
            AllocPerCall: n == 0 ? 0 : (after.Allocated - before.Allocated) / (double)n,
            Gen0: after.Gen0 - before.Gen0, Gen1: after.Gen1 - before.Gen1, Gen2: after.Gen2 - before.Gen2,
            GcPauseMs: (after.Pause - before.Pause).TotalMilliseconds,
            MaxGcPauseMs: MaxRecentPauseMs(after.Gen0 + after.Gen1 + after.Gen2 - before.Gen0 - before.Gen1 - before.Gen2),
            LockContentions: after.Contentions - before.Contentions,
            QueueAvg: sampler.Average, QueueMax: sampler.Max, Threads: ThreadPool.ThreadCount,
            CpuUsPerCall: n == 0 ? 0 : (after.Cpu - before.Cpu).TotalMicroseconds / n,
            P99NoGcUs: Percentile(all.Where(x => !x.Gc).Select(x => x.Ticks).ToList(), 0.99),
            P99WithGcUs: Percentile(all.Where(x => x.Gc).Select(x => x.Ticks).ToList(), 0.99))
        {
            PromotedKB = lastGc.PromotedBytes / 1024.0,
            FinalizersPending = lastGc.FinalizationPendingCount,
        };
        var ticks = all.Select(x => x.Ticks).ToList();
        return new Row($"unary x{concurrency}", client, n / elapsed, "calls/s", Percentile(ticks, 0.50), Percentile(ticks, 0.99))
        {
            P999Us = Percentile(ticks, 0.999),
            MaxUs = n == 0 ? 0 : ToUs(ticks[^1]),
            Counters = counters,
        };
    }

    static double ToUs(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    static double Percentile(List<long> sorted, double p) => sorted.Count == 0 ? 0 : ToUs(sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))]);

    /// <summary>The longest of the GC pauses the runtime still remembers (it keeps the last few of each kind).</summary>
    static double MaxRecentPauseMs(int collections)
    {
        if (collections == 0) return 0;
        var max = TimeSpan.Zero;
        foreach (var kind in new[] { GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background })
            foreach (var p in GC.GetGCMemoryInfo(kind).PauseDurations) if (p > max) max = p;
        return max.TotalMilliseconds;
    }

    static async Task RunAsync(int concurrency, TimeSpan duration, Func<Task> call, List<long>[]? latencies, List<bool>[]? gcSeen)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var list = latencies?[w];
            var gcs = gcSeen?[w];
            workers[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    var gc = GC.CollectionCount(0);
                    var start = Stopwatch.GetTimestamp();
                    await call();
                    list?.Add(Stopwatch.GetTimestamp() - start);
                    gcs?.Add(GC.CollectionCount(0) != gc);
                }
            });
        }
        await Task.WhenAll(workers);
    }

    readonly record struct Snapshot(long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Contentions, TimeSpan Cpu)
    {
        public static Snapshot Take() => new(GC.GetTotalAllocatedBytes(false), GC.CollectionCount(0), GC.CollectionCount(1),
            GC.CollectionCount(2), GC.GetTotalPauseDuration(), Monitor.LockContentionCount, Process.GetCurrentProcess().TotalProcessorTime);
    }

    /// <summary>Samples the thread-pool queue length every millisecond on its own thread.</summary>
    sealed class QueueSampler : IDisposable
    {
        readonly Thread _thread;
        volatile bool _stop;
        long _sum, _count, _max;

        public QueueSampler()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    var q = ThreadPool.PendingWorkItemCount;
                    _sum += q; _count++;
                    if (q > _max) _max = q;
                    Thread.Sleep(1);
                }
            }) { IsBackground = true, Name = "queue sampler" };
            _thread.Start();
        }

        public double Average => _count == 0 ? 0 : (double)_sum / _count;
        public long Max => _max;
        public void Stop() { _stop = true; _thread.Join(); }
        public void Dispose() { if (!_stop) Stop(); }
    }
}
