namespace Infra.Grpc.Benchmarks;

/// <summary>Prints the figures: latency and rate for every client, then the runtime counters of our
/// client processes next to their latency, so a tail can be matched to GC, locks or queueing.</summary>
public static class Table
{
    /// <summary>One row per (scenario, client), each figure the median over the rounds.</summary>
    public static List<Row> Medians(List<Row> runs) => runs
        .GroupBy(r => (r.Scenario, r.Client))
        .Select(g =>
        {
            var rs = g.ToList();
            var first = rs[0];
            Counters? counters = first.Counters is null ? null : new Counters(
                M(rs, r => r.Counters!.AllocPerCall)!.Value, (int)M(rs, r => r.Counters!.Gen0)!.Value, (int)M(rs, r => r.Counters!.Gen1)!.Value,
                (int)M(rs, r => r.Counters!.Gen2)!.Value, M(rs, r => r.Counters!.GcPauseMs)!.Value, M(rs, r => r.Counters!.MaxGcPauseMs)!.Value,
                (long)M(rs, r => r.Counters!.LockContentions)!.Value, M(rs, r => r.Counters!.QueueAvg)!.Value, (long)M(rs, r => r.Counters!.QueueMax)!.Value,
                (int)M(rs, r => r.Counters!.Threads)!.Value, M(rs, r => r.Counters!.CpuUsPerCall)!.Value,
                M(rs, r => r.Counters!.P99NoGcUs)!.Value, M(rs, r => r.Counters!.P99WithGcUs)!.Value)
            {
                PromotedKB = M(rs, r => r.Counters!.PromotedKB)!.Value,
                FinalizersPending = (long)M(rs, r => r.Counters!.FinalizersPending)!.Value,
            };
            return first with
            {
                Rate = M(rs, r => r.Rate)!.Value, P50Us = M(rs, r => r.P50Us), P99Us = M(rs, r => r.P99Us),
                P999Us = M(rs, r => r.P999Us), MaxUs = M(rs, r => r.MaxUs), Counters = counters,
            };
        })
        .OrderBy(r => r.Scenario.StartsWith("unary") ? 0 : 1).ThenBy(r => r.Scenario).ToList();

    static double? M(List<Row> rows, Func<Row, double?> f)
    {
        var v = rows.Select(f).Where(x => x is not null).Select(x => x!.Value).OrderBy(x => x).ToList();
        return v.Count == 0 ? null : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    static string F(double? v, string format = "N0") => v is { } x ? x.ToString(format) : "-";

    public static void Print(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-15} {"client",-22} {"rate",12} {"unit",-8} {"p50 µs",8} {"p99 µs",8} {"p99.9 µs",9} {"max µs",8}");
        Console.WriteLine(new string('-', 98));
        foreach (var r in rows)
            Console.WriteLine($"{r.Scenario,-15} {r.Client,-22} {r.Rate,12:N0} {r.Unit,-8} {F(r.P50Us),8} {F(r.P99Us),8} {F(r.P999Us),9} {F(r.MaxUs),8}");
        var withCounters = rows.Where(r => r.Counters is not null).ToList();
        if (withCounters.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("client process during the measured interval: B/call allocated (all threads), GCs by generation, total and");
        Console.WriteLine("longest GC pause, Monitor lock contentions, thread-pool queue (1 ms samples), pool threads, CPU µs/call,");
        Console.WriteLine("p99 of the calls during which no gen0 GC happened vs. those that spanned one, and what the last GC");
        Console.WriteLine("promoted (KB) with the objects then waiting for their finalizer");
        Console.WriteLine($"{"scenario",-15} {"client",-22} {"B/call",7} {"gen0/1/2",12} {"pause ms",9} {"max ms",7} {"locks",7} {"queue avg/max",14} {"thr",4} {"cpu µs",7} {"p99 noGC",9} {"p99 GC",8} {"prom KB",8} {"fin",6}");
        Console.WriteLine(new string('-', 147));
        foreach (var r in withCounters)
        {
            var c = r.Counters!;
            Console.WriteLine($"{r.Scenario,-15} {r.Client,-22} {c.AllocPerCall,7:N0} {$"{c.Gen0}/{c.Gen1}/{c.Gen2}",12} {c.GcPauseMs,9:N1} {c.MaxGcPauseMs,7:N2} {c.LockContentions,7:N0} {$"{c.QueueAvg:N1}/{c.QueueMax}",14} {c.Threads,4} {c.CpuUsPerCall,7:N1} {c.P99NoGcUs,9:N0} {c.P99WithGcUs,8:N0} {c.PromotedKB,8:N0} {c.FinalizersPending,6:N0}");
        }
    }
}
