using System.Diagnostics;
using Infra.Agent.Compute.Model;
using Infra.Agent.Vm.Benchmarks;

// VM start cost of the shipped agent (AgentHost, see ShippedAgent.cs) against qemu alone and libvirt
// (apt-get installs it when missing; see Libvirt.cs). No guest is booted: qemu alone counts as started
// when it announces RESUME after "cont"; the agent's start is its apply pass over a desired state
// naming the VM, which ends once qemu runs and QMP answered (SeaBIOS then finds no disk, which does
// not matter here). Usage: dotnet run -c Release -- [N=8]
var n = args.Length > 0 ? int.Parse(args[0]) : 8;
var root = Path.Combine("/tmp", $"ivb-{Guid.NewGuid():N}"[..12]);
Directory.CreateDirectory(root);
static VmDefinition Tiny(string id) => new() { Id = id, Vcpus = 1, CpuMhz = 1000, MemoryMib = 64 };
static string Ms(IEnumerable<TimeSpan> xs, double q) => Stats.Ms(xs, q);
static long RssKb(int pid) => Stats.RssKb(pid);

var rows = new List<(string What, string Value)>();
var agent = await ShippedAgent.StartAsync(root);
var direct = new DirectQemu(Path.Combine(root, "direct"));
LibvirtRun? libvirt = null;
try
{
    // Warm-up, not counted: first runs pay for page cache, JIT and libvirt's first domain.
    await direct.StartAsync(Tiny("warm-d")); await direct.StopAllAsync();
    await agent.ApplyAsync(ShippedAgent.Tiny("warm-a")); await agent.RemoveAllAsync();

    // The agent's memory, with nothing else of the benchmark's going on: N VMs started one by one.
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    var rssBefore = RssKb(Environment.ProcessId);
    var held = new List<Infra.V1.Resource>();
    for (var i = 0; i < n; i++) { held.Add(ShippedAgent.Tiny($"m{i}")); await agent.ApplyAsync([.. held]); }
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    var rssAfter = RssKb(Environment.ProcessId);
    await agent.RemoveAllAsync();

    libvirt = await LibvirtRun.StartAsync(Path.Combine(root, "libvirt"), rows);
    if (libvirt is not null) await libvirt.WarmUpAsync();

    // qemu alone, the agent and libvirt take turns, so a change in the machine's load hits all alike.
    List<TimeSpan> d = [], dPid = [], a = [], aPid = [];
    for (var i = 0; i < n; i++)
    {
        var (run, pidf) = await direct.StartAsync(Tiny($"d{i}"));
        d.Add(run); dPid.Add(pidf);
        await direct.StopAllAsync();
        var t0 = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();
        await agent.ApplyAsync(ShippedAgent.Tiny($"s{i}"));
        a.Add(sw.Elapsed);
        aPid.Add(File.GetLastWriteTimeUtc(agent.PidFileOf($"s{i}")) - t0);
        await agent.RemoveAllAsync();
        if (libvirt is not null) await libvirt.CreateOneAsync($"l{i}");
    }
    var seqWall = TimeSpan.FromTicks(a.Sum(x => x.Ticks));

    var par = Stopwatch.StartNew();
    await agent.ApplyAsync([.. Enumerable.Range(0, n).Select(i => ShippedAgent.Tiny($"p{i}"))]);
    var parWall = par.Elapsed;
    await agent.RemoveAllAsync();

    var dpar = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, n).Select(i => direct.StartAsync(Tiny($"dp{i}"))));
    var dparWall = dpar.Elapsed;
    await direct.StopAllAsync();

    rows.Add(($"qemu alone: start to RESUME, median / p90 (N={n})", $"{Ms(d, 0.5)} / {Ms(d, 0.9)} ms"));
    rows.Add(("  qemu alone: start to its pidfile written (exec, libraries), median", $"{Ms(dPid, 0.5)} ms"));
    rows.Add(("agent (AgentHost, supervised): desired VM to its apply pass done, median / p90", $"{Ms(a, 0.5)} / {Ms(a, 0.9)} ms"));
    rows.Add(("  agent: request to qemu's pidfile written (+ setsid, sh, cgroup join), median", $"{Ms(aPid, 0.5)} ms"));
    rows.Add(("agent overhead per start (median difference)", $"{Stats.Median(a) - Stats.Median(d):0.0} ms"));
    rows.Add(("agent starts/s sequential (N / sum of start times)", $"{n / seqWall.TotalSeconds:0.00}"));
    rows.Add(("agent starts/s, N in one desired state (one pass)", $"{n / parWall.TotalSeconds:0.00}"));
    rows.Add(("qemu alone starts/s parallel (N at once)", $"{n / dparWall.TotalSeconds:0.00}"));
    rows.Add(("agent process RSS before / with N VMs running", $"{rssBefore / 1024.0:0.0} / {rssAfter / 1024.0:0.0} MiB ({(rssAfter - rssBefore) / (double)n:0} KiB per VM)"));
    if (libvirt is not null) await libvirt.FinishAsync(n, Stats.Median(d), Stats.Median(a));
}
finally
{
    if (libvirt is not null) await libvirt.DisposeAsync();
    await agent.DisposeAsync();
    await direct.StopAllAsync();
    try { Directory.Delete(root, true); } catch (IOException) { }
}

var w = rows.Max(r => r.What.Length);
Console.WriteLine($"{"measure".PadRight(w)} | value");
Console.WriteLine($"{new string('-', w)}-+------");
foreach (var (what, value) in rows) Console.WriteLine($"{what.PadRight(w)} | {value}");
