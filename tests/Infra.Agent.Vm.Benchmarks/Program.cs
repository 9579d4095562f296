using System.Diagnostics;
using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Vm.Benchmarks;
using Infra.Agent.Vm.Hosting;

// VM start cost of the agent against qemu alone and libvirt (apt-get installs it when missing; see Libvirt.cs). No guest is
// booted: a VM counts as started when qemu announces RESUME after "cont" (SeaBIOS then finds no
// disk, which does not matter here). Usage: dotnet run -c Release -- [N=8]
var n = args.Length > 0 ? int.Parse(args[0]) : 8;
var root = Path.Combine("/tmp", $"ivb-{Guid.NewGuid():N}"[..12]);
Directory.CreateDirectory(root);
var cgroups = new CgroupTree { Parent = $"infra-vmb-{Guid.NewGuid():N}"[..20], NestUnderOwnCgroup = true };
static VmDefinition Tiny(string id) => new() { Id = id, Vcpus = 1, CpuMhz = 1000, MemoryMib = 64 };
static string Ms(IEnumerable<TimeSpan> xs, double q) => Stats.Ms(xs, q);
static long RssKb(int pid) => Stats.RssKb(pid);

var rows = new List<(string What, string Value)>();
var host = await VmHostBuilder.BuildAsync(new VmHostOptions
{
    Compute = new ComputeOptions { StateRoot = Path.Combine(root, "vms"), MhzPerCore = 2000, PowerOffTimeout = TimeSpan.FromSeconds(5) },
    VolumeRunRoot = Path.Combine(root, "vol"), Supervisor = Supervisor.Child,
}, new AcceleratorProbe(new AcceleratorOptions { AllowTcg = true, ForceTcg = true, WorkDirectory = root }), cgroups: cgroups);
var direct = new DirectQemu(Path.Combine(root, "direct"));
LibvirtRun? libvirt = null;
try
{
    // Warm-up, not counted: first runs pay for page cache, JIT and libvirt's first domain.
    await direct.StartAsync(Tiny("warm-d")); await direct.StopAllAsync();
    await host.StartAsync(Tiny("warm-a"), []); await host.Vms.DeleteAsync("warm-a", TimeSpan.Zero, default);

    // The agent's memory, with nothing else of the benchmark's going on: N VMs started one by one.
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    var rssBefore = RssKb(Environment.ProcessId);
    for (var i = 0; i < n; i++) await host.StartAsync(Tiny($"m{i}"), []);
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
    var rssAfter = RssKb(Environment.ProcessId);
    for (var i = 0; i < n; i++) await host.Vms.DeleteAsync($"m{i}", TimeSpan.Zero, default);

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
        a.Add((await host.StartAsync(Tiny($"s{i}"), [])).Running);
        aPid.Add(File.GetLastWriteTimeUtc(VmPaths.For(Path.Combine(root, "vms"), $"s{i}").PidFile) - t0);
        if (libvirt is not null) await libvirt.CreateOneAsync($"l{i}");
    }
    var seqWall = TimeSpan.FromTicks(a.Sum(x => x.Ticks));
    for (var i = 0; i < n; i++) await host.Vms.DeleteAsync($"s{i}", TimeSpan.Zero, default);

    var par = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, n).Select(i => host.StartAsync(Tiny($"p{i}"), [])));
    var parWall = par.Elapsed;
    for (var i = 0; i < n; i++) await host.Vms.DeleteAsync($"p{i}", TimeSpan.Zero, default);

    var dpar = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, n).Select(i => direct.StartAsync(Tiny($"dp{i}"))));
    var dparWall = dpar.Elapsed;
    await direct.StopAllAsync();

    rows.Add(($"qemu alone: start to RESUME, median / p90 (N={n})", $"{Ms(d, 0.5)} / {Ms(d, 0.9)} ms"));
    rows.Add(("  qemu alone: start to its pidfile written (exec, libraries), median", $"{Ms(dPid, 0.5)} ms"));
    rows.Add(("agent (VmHost, supervised child): request to RESUME, median / p90", $"{Ms(a, 0.5)} / {Ms(a, 0.9)} ms"));
    rows.Add(("  agent: request to qemu's pidfile written (+ setsid, sh, cgroup join), median", $"{Ms(aPid, 0.5)} ms"));
    rows.Add(("agent overhead per start (median difference)", $"{Stats.Median(a) - Stats.Median(d):0.0} ms"));
    rows.Add(("agent starts/s sequential (N / sum of start times)", $"{n / seqWall.TotalSeconds:0.00}"));
    rows.Add(("agent starts/s parallel (N at once)", $"{n / parWall.TotalSeconds:0.00}"));
    rows.Add(("qemu alone starts/s parallel (N at once)", $"{n / dparWall.TotalSeconds:0.00}"));
    rows.Add(("agent process RSS before / with N VMs running", $"{rssBefore / 1024.0:0.0} / {rssAfter / 1024.0:0.0} MiB ({(rssAfter - rssBefore) / (double)n:0} KiB per VM)"));
    if (libvirt is not null) await libvirt.FinishAsync(n, Stats.Median(d), Stats.Median(a));
}
finally
{
    if (libvirt is not null) await libvirt.DisposeAsync();
    foreach (var id in host.Vms.Store.List()) try { await host.Vms.PowerOffAsync(id, default); } catch (Exception) { }
    await host.DisposeAsync();
    await direct.StopAllAsync();
    foreach (var id in Directory.Exists(Path.Combine(root, "vms")) ? Directory.GetDirectories(Path.Combine(root, "vms")).Select(Path.GetFileName) : [])
        cgroups.For(id!).Remove();
    cgroups.RemoveParent();
    try { Directory.Delete(root, true); } catch (IOException) { }
}

var w = rows.Max(r => r.What.Length);
Console.WriteLine($"{"measure".PadRight(w)} | value");
Console.WriteLine($"{new string('-', w)}-+------");
foreach (var (what, value) in rows) Console.WriteLine($"{what.PadRight(w)} | {value}");
