using System.Diagnostics;
using Infra.Flows;
using Infra.Flows.Benchmarks;
using Infra.Flows.Flows;
using Infra.Flows.Model;

// Usage: dotnet run -c Release --project tests/Infra.Flows.Benchmarks
// Compile time for one host of big clusters (goal: under 100 ms), against a baseline measured in
// the same run (serialising the same input to JSON, a cost proportional to its size), and flow
// counts for N ports x M rules showing growth with ports + rules.

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}");
Console.WriteLine("== compile time for one host's flows (median and max of 20 runs after warm-up) ==");
Console.WriteLine($"{"cluster",-44} {"local",6} {"remote",7} {"peers",6} {"flows",7} {"compile ms",11} {"max ms",7} {"cpu ms",7} {"render ms",10} {"json ms (baseline)",19}");
foreach (var (hosts, ports, tenants) in new[] { (1000, 20_000, 2_000), (1000, 20_000, 200), (1000, 20_000, 20) })
{
    var state = Cluster.HostView(hosts, ports, tenants);
    var compile = Measure(() => FlowCompiler.Compile(state));
    var flows = FlowCompiler.Compile(state);
    var render = Measure(() => flows.Render());
    var json = Measure(() => HostStateJson.Write(state));
    Console.WriteLine($"{$"{hosts} hosts / {ports} ports / {tenants} tenants",-44} {state.LocalPorts.Count,6} {state.RemotePorts.Count,7} {state.Peers.Count,6} " +
        $"{flows.Flows.Count,7} {compile.Median,11:F2} {compile.Max,7:F2} {compile.CpuMean,7:F2} {render.Median,10:F2} {json.Median,19:F2}");
}

Console.WriteLine();
Console.WriteLine("== flows per host: N local ports x M rules (one policy on every port, half remote-policy rules) ==");
Console.WriteLine($"{"N ports",8} {"M rules",8} {"flows",8} {"policy flows",13} {"policy/(N+M)",13} {"N x M (no conjunctions)",24}");
foreach (var n in new[] { 10, 100, 1000 })
foreach (var m in new[] { 1, 10, 100 })
{
    var flows = FlowCompiler.Compile(Cluster.Growth(n, m)).Flows;
    var policy = flows.Count(f => Cookies.KindOf(f.Cookie) == OwnerKind.Policy);
    Console.WriteLine($"{n,8} {m,8} {flows.Count,8} {policy,13} {(double)policy / (n + m),13:F2} {n * m,24}");
}

static (double Median, double Max, double CpuMean) Measure(Action a)
{
    // Warm up past tiered JIT's promotion (30 calls, then a background recompile) so we time
    // steady-state code, as a long-running controller runs it.
    var warm = Stopwatch.StartNew();
    for (var i = 0; i < 50 || warm.ElapsedMilliseconds < 1500; i++) a();
    var times = new List<double>();
    // CPU time of this process too: on a shared 2-core machine wall time mostly measures the
    // neighbours, CPU time what the compiler itself costs (GC and JIT threads included).
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < 20; i++)
    {
        var sw = Stopwatch.StartNew();
        a();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / 20;
    times.Sort();
    return (times[times.Count / 2], times[^1], cpu);
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
