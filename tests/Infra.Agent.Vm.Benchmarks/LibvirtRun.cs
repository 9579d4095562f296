using System.Diagnostics;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// The libvirt rows of the table: one <c>virsh create</c> per round of the main loop (so libvirt
/// runs under the same load as qemu alone and the agent), then N creates at once.
/// </summary>
internal sealed class LibvirtRun : IAsyncDisposable
{
    private readonly Libvirt _lv;
    private readonly List<(string What, string Value)> _rows;
    private readonly List<TimeSpan> _creates = [];
    private readonly List<string> _running = [];
    private long _rssBefore, _rssAfter;
    private string? _failure;

    private LibvirtRun(Libvirt lv, List<(string What, string Value)> rows) { _lv = lv; _rows = rows; }

    /// <summary>Starts libvirtd; null (with a row saying why) when it cannot run here.</summary>
    public static async Task<LibvirtRun?> StartAsync(string dir, List<(string What, string Value)> rows)
    {
        var startup = Stopwatch.StartNew();
        var (lv, why) = await Libvirt.TryStartAsync(dir);
        if (lv is null) { rows.Add(("libvirt", $"not measured: {why}")); return null; }
        rows.Add(("libvirtd start until it answers (probes qemu's capabilities once)", $"{startup.Elapsed.TotalMilliseconds:0} ms"));
        return new LibvirtRun(lv, rows);
    }

    /// <summary>One create and destroy, not counted: libvirt's first domain pays for caches.</summary>
    public async Task WarmUpAsync()
    {
        await _lv.CreateAsync("lwarm");
        await _lv.DestroyAsync("lwarm");
        _rssBefore = (_lv.DaemonPid is { } pid ? Stats.RssKb(pid) : 0);
    }

    /// <summary>One counted create; the domain keeps running until <see cref="FinishAsync"/>.</summary>
    public async Task CreateOneAsync(string name)
    {
        if (_failure is not null) return;
        try { _creates.Add(await _lv.CreateAsync(name)); _running.Add(name); }
        catch (InvalidOperationException e) { _failure = e.Message; }
    }

    /// <summary>Destroys the sequential domains, measures virsh alone and N creates at once, and adds the rows.</summary>
    public async Task FinishAsync(int n, double qemuMedianMs, double agentMedianMs)
    {
        if (_failure is not null) { _rows.Add(("libvirt", $"failed: {_failure}")); return; }
        try
        {
            _rssAfter = (_lv.DaemonPid is { } pid ? Stats.RssKb(pid) : 0);
            foreach (var name in _running) await _lv.DestroyAsync(name);
            _running.Clear();
            var rt = new List<TimeSpan>();
            for (var i = 0; i < n; i++) rt.Add(await _lv.VirshRoundTripAsync());
            var par = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, n).Select(i => _lv.CreateAsync($"lp{i}")));
            var parWall = par.Elapsed;
            for (var i = 0; i < n; i++) await _lv.DestroyAsync($"lp{i}");

            var med = Stats.Median(_creates);
            _rows.Add(($"libvirt 9.0 (virsh create, TCG, no /dev/kvm): to running, median / p90 (N={n})", $"{Stats.Ms(_creates, 0.5)} / {Stats.Ms(_creates, 0.9)} ms"));
            _rows.Add(("  of which virsh itself (process, connect, one call), median", $"{Stats.Ms(rt, 0.5)} ms"));
            _rows.Add(("libvirt overhead per start (median difference to qemu alone)", $"{med - qemuMedianMs:0.0} ms ({med - Stats.Median(rt) - qemuMedianMs:0.0} ms without virsh's own)"));
            _rows.Add(("libvirt start / agent start (medians; goal >= 2)", $"{med / agentMedianMs:0.00}x"));
            _rows.Add(("libvirt starts/s sequential (N / sum of create times)", $"{n / TimeSpan.FromTicks(_creates.Sum(x => x.Ticks)).TotalSeconds:0.00}"));
            _rows.Add(("libvirt starts/s parallel (N at once)", $"{n / parWall.TotalSeconds:0.00}"));
            _rows.Add(("libvirtd RSS before / with N domains", $"{_rssBefore / 1024.0:0.0} / {_rssAfter / 1024.0:0.0} MiB"));
        }
        catch (Exception e) { _rows.Add(("libvirt", $"failed: {e.Message}")); }
    }

    public ValueTask DisposeAsync() => _lv.DisposeAsync();
}
