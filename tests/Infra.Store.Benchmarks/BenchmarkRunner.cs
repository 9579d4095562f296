using System.Diagnostics;

namespace Infra.Store.Benchmarks;

/// <summary>Runs each benchmark and prints one table; every row states its baseline in the same run.</summary>
internal static class BenchmarkRunner
{
    public sealed record Row(string Name, long Operations, TimeSpan Elapsed, double BytesPerOp, string Note = "")
    {
        public double PerSecond => Operations / Elapsed.TotalSeconds;
    }

    /// <summary>Args: [placement|store|etcd] [--quick]. "etcd" = store writes/s on SQLite and a local etcd side by side.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var rows = new List<Row>();
        var only = args.FirstOrDefault(a => a is "placement" or "store" or "etcd");
        if (only is null or "placement") rows.AddRange(PlacementBenchmarks.Run(quick));
        if (only is null or "store") rows.AddRange(await StoreBenchmarks.RunAsync(quick));
        if (only is "etcd") rows.AddRange(await EtcdBenchmarks.RunAsync(quick));
        Print(rows);
        return 0;
    }

    public static Row Measure(string name, long ops, Action<long> body, string note = "")
    {
        body(Math.Min(ops, 100)); // warm up JIT and caches
        GC.Collect();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        body(ops);
        sw.Stop();
        return new Row(name, ops, sw.Elapsed, (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)ops, note);
    }

    public static async Task<Row> MeasureAsync(string name, long ops, Func<long, Task> body, string note = "")
    {
        await body(Math.Min(ops, 20));
        GC.Collect();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        await body(ops);
        sw.Stop();
        return new Row(name, ops, sw.Elapsed, (GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)ops, note);
    }

    static void Print(List<Row> rows)
    {
        var w = Math.Max(10, rows.Max(r => r.Name.Length));
        Console.WriteLine();
        Console.WriteLine($"{"benchmark".PadRight(w)}  {"ops",9}  {"seconds",8}  {"ops/s",12}  {"µs/op",9}  {"B/op",9}  note");
        Console.WriteLine(new string('-', w + 70));
        foreach (var r in rows)
            Console.WriteLine($"{r.Name.PadRight(w)}  {r.Operations,9}  {r.Elapsed.TotalSeconds,8:F2}  {r.PerSecond,12:N0}  {1e6 / r.PerSecond,9:F1}  {r.BytesPerOp,9:N0}  {r.Note}");
    }
}
