using System.Diagnostics;
using Infra.Agent.Network.Flows;
using Infra.Agent.Network.Model;
using Infra.TestHosts;

// Times our cookie-group flow installer against plain ovs-ofctl on the same switch in the same run.
// Usage: dotnet run -c Release --project tests/Infra.Agent.Network.Benchmarks [flowCount] [repeats]
//        ... dhcp [clients]: the DHCP responder against dnsmasq (DhcpBench.cs)
if (args is ["dhcp", ..]) { await DhcpBench.RunAsync(args[1..]); return; }
var total = args.Length > 0 ? int.Parse(args[0]) : 100_000;
var repeats = args.Length > 1 ? int.Parse(args[1]) : 3;
const int GroupSize = 100;

using var host = new OvsHost("bench");
host.Vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "fail_mode=secure", "other-config:datapath-id=00000000000000b1");
Cmd.WaitUntil(() => File.Exists(Path.Combine(host.RunDir, "br-int.mgmt")), "br-int.mgmt");
var target = host.OpenFlowTarget("br-int");
var dir = Directory.CreateTempSubdirectory("infra-bench-").FullName;

// Flow i: cookie = group, one /32 match per flow. "variant" changes the actions of chosen flows.
List<FlowSpec> Flows(Func<int, bool> changed) => Enumerable.Range(0, total).Select(i =>
    new FlowSpec((ulong)(i / GroupSize + 1), 0, 100, $"ip,nw_dst=10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
        changed(i) ? "output:2" : "output:1")).ToList();
var baseFlows = Flows(_ => false);
var allChanged = Flows(_ => true);
var onePercent = Flows(i => i % 100 == 7); // 1 % of flows, spread over every group: the worst case for group-wise replace
string Write(string name, IEnumerable<FlowSpec> flows)
{
    var path = Path.Combine(dir, name);
    File.WriteAllLines(path, flows.Select(f => f.ToAddLine()[4..]));
    return path;
}
var baseFile = Write("base.txt", baseFlows);
var allFile = Write("all.txt", allChanged);
var pctFile = Write("pct.txt", onePercent);

int Count() => int.Parse(host.Ofctl("dump-aggregate", target).Split("flow_count=")[1].Trim());
void Clear() => host.Ofctl("del-flows", target);
double Time(Action a) { var sw = Stopwatch.StartNew(); a(); return sw.Elapsed.TotalSeconds; }
async Task<double> TimeAsync(Func<Task> a) { var sw = Stopwatch.StartNew(); await a(); return sw.Elapsed.TotalSeconds; }
double Median(List<double> xs) { xs.Sort(); return xs[xs.Count / 2]; }
var ct = CancellationToken.None;
var rows = new List<(string What, string How, double Seconds)>();

async Task Measure(string what, string how, Func<Task> setup, Func<Task> run, int expectCount)
{
    var times = new List<double>();
    for (var r = 0; r < repeats; r++)
    {
        await setup();
        times.Add(await TimeAsync(run));
        var n = Count();
        if (n != expectCount) throw new InvalidOperationException($"{what}/{how}: switch holds {n} flows, expected {expectCount}");
    }
    rows.Add((what, how, Median(times)));
    Console.Error.WriteLine($"{what,-34} {how,-40} {Median(times),8:F3} s");
}

var installer = new FlowInstaller(new Ofctl(target, TimeSpan.FromMinutes(5)));
Task Nop() => Task.CompletedTask;

await Measure($"install {total:N0}", "ovs-ofctl add-flows (baseline)", () => { Clear(); return Nop(); }, () => { host.Ofctl("add-flows", target, baseFile); return Nop(); }, total);
await Measure($"install {total:N0}", "ovs-ofctl --bundle add-flows (baseline)", () => { Clear(); return Nop(); }, () => { host.Ofctl("--bundle", "add-flows", target, baseFile); return Nop(); }, total);
await Measure($"install {total:N0}", "FlowInstaller (first pass: dump + bundle)", () => { Clear(); installer.Invalidate(); return Nop(); }, () => installer.ApplyAsync(baseFlows, ct), total);

await Measure($"replace all {total:N0}", "ovs-ofctl --bundle replace-flows (baseline)", () => { Clear(); host.Ofctl("--bundle", "add-flows", target, baseFile); return Nop(); },
    () => { host.Ofctl("--bundle", "replace-flows", target, allFile); return Nop(); }, total);
await Measure($"replace all {total:N0}", "FlowInstaller delta bundle", async () => { installer.Invalidate(); Clear(); await installer.ApplyAsync(baseFlows, ct); },
    () => installer.ApplyAsync(allChanged, ct), total);

await Measure($"1 % delta of {total:N0}", "ovs-ofctl --bundle replace-flows (baseline)", () => { Clear(); host.Ofctl("--bundle", "add-flows", target, baseFile); return Nop(); },
    () => { host.Ofctl("--bundle", "replace-flows", target, pctFile); return Nop(); }, total);
await Measure($"1 % delta of {total:N0}", "FlowInstaller delta bundle", async () => { installer.Invalidate(); Clear(); await installer.ApplyAsync(baseFlows, ct); },
    () => installer.ApplyAsync(onePercent, ct), total);
await Measure($"1 group (100 flows) of {total:N0}", "FlowInstaller delta bundle", async () => { installer.Invalidate(); Clear(); await installer.ApplyAsync(baseFlows, ct); },
    () => installer.ApplyAsync(Flows(i => i / GroupSize == 42), ct), total);
await Measure($"no change, {total:N0}", "FlowInstaller (desired == installed)", async () => { installer.Invalidate(); Clear(); await installer.ApplyAsync(baseFlows, ct); },
    () => installer.ApplyAsync(baseFlows, ct), total);

Console.WriteLine();
Console.WriteLine($"Flow installer benchmark: {total:N0} flows in {total / GroupSize:N0} cookie groups, median of {repeats}, netdev datapath, ovs-ofctl -O OpenFlow14");
Console.WriteLine($"| {"scenario",-34} | {"method",-42} | {"seconds",8} |");
Console.WriteLine($"|{new string('-', 36)}|{new string('-', 44)}|{new string('-', 10)}|");
foreach (var (what, how, s) in rows) Console.WriteLine($"| {what,-34} | {how,-42} | {s,8:F3} |");
Directory.Delete(dir, recursive: true);
