using System.Diagnostics;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>The libvirt rows of the table: the same N starts, sequential and at once, through virsh create.</summary>
internal static class LibvirtRun
{
    public static async Task MeasureAsync(string dir, int n, double qemuMedianMs, double agentMedianMs, List<(string What, string Value)> rows)
    {
        var startup = Stopwatch.StartNew();
        var (lv, why) = await Libvirt.TryStartAsync(dir);
        if (lv is null) { rows.Add(("libvirt", $"not measured: {why}")); return; }
        await using (lv)
        {
            try
            {
                rows.Add(("libvirtd start until it answers (probes qemu's capabilities)", $"{startup.Elapsed.TotalMilliseconds:0} ms"));
                // Warm-up, not counted: the first create pays for page cache and libvirt's first domain.
                await lv.CreateAsync("lwarm"); await lv.DestroyAsync("lwarm");
                var rt = new List<TimeSpan>();
                for (var i = 0; i < n; i++) rt.Add(await lv.VirshRoundTripAsync());

                var lrssBefore = Stats.RssKb(lv.DaemonPid);
                var l = new List<TimeSpan>();
                var seq = Stopwatch.StartNew();
                for (var i = 0; i < n; i++) l.Add(await lv.CreateAsync($"l{i}"));
                var seqWall = seq.Elapsed;
                var lrssAfter = Stats.RssKb(lv.DaemonPid);
                for (var i = 0; i < n; i++) await lv.DestroyAsync($"l{i}");

                var par = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, n).Select(i => lv.CreateAsync($"lp{i}")));
                var parWall = par.Elapsed;
                for (var i = 0; i < n; i++) await lv.DestroyAsync($"lp{i}");

                var med = Stats.Median(l);
                rows.Add(($"libvirt 9.0 (virsh create, TCG, no /dev/kvm): to running, median / p90 (N={n})", $"{Stats.Ms(l, 0.5)} / {Stats.Ms(l, 0.9)} ms"));
                rows.Add(("  of which virsh itself (process, connect, one call), median", $"{Stats.Ms(rt, 0.5)} ms"));
                rows.Add(("libvirt overhead per start (median difference to qemu alone)", $"{med - qemuMedianMs:0.0} ms ({med - Stats.Median(rt) - qemuMedianMs:0.0} ms without virsh's own)"));
                rows.Add(("libvirt start / agent start (medians; goal >= 2)", $"{med / agentMedianMs:0.00}x"));
                rows.Add(("libvirt starts/s sequential", $"{n / seqWall.TotalSeconds:0.00}"));
                rows.Add(("libvirt starts/s parallel (N at once)", $"{n / parWall.TotalSeconds:0.00}"));
                rows.Add(($"libvirtd RSS before / with N domains", $"{lrssBefore / 1024.0:0.0} / {lrssAfter / 1024.0:0.0} MiB"));
            }
            catch (Exception e) { rows.Add(("libvirt", $"failed: {e.Message}")); }
        }
    }
}
