using System.Diagnostics;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Qemu;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Vm.Monitor;
using Infra.Qmp;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// The baseline: the same qemu argv the agent builds, started as a plain child, driven to the same
/// point (QMP handshake, cont, RESUME event). What the agent adds is the difference.
/// </summary>
internal sealed class DirectQemu(string root)
{
    private readonly List<Process> _running = [];

    /// <summary>Starts <paramref name="vm"/>; returns the time to RESUME and when qemu wrote its pidfile (early in its start).</summary>
    public async Task<(TimeSpan Running, TimeSpan Pidfile)> StartAsync(VmDefinition vm)
    {
        var paths = VmPaths.For(root, vm.Id);
        Directory.CreateDirectory(paths.Directory);
        var argv = QemuCommandLine.Build(vm, new QemuLaunch { Accelerator = Accelerator.Tcg, Paths = paths, StartPaused = true });
        var t0 = DateTime.UtcNow;
        var sw = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("/usr/bin/qemu-system-x86_64") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in argv) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        lock (_running) _running.Add(p);
        var client = await ConnectPromptlyAsync(paths.QmpSocket);
        await using var m = await QmpVmMonitor.StartAsync(client, CancellationToken.None);
        await m.ContAsync(CancellationToken.None);
        return (sw.Elapsed, File.GetLastWriteTimeUtc(paths.PidFile) - t0);
    }

    /// <summary>
    /// Retries at the agent's pace (<see cref="ProcessInspector.StartPoll"/>), not QmpClient's
    /// WaitAndConnectAsync's 20 ms: a slower baseline would hide part of the agent's overhead.
    /// </summary>
    private static async Task<QmpClient> ConnectPromptlyAsync(string socket)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try { return await QmpClient.ConnectAsync(socket); }
            catch (QmpConnectionClosedException) when (DateTime.UtcNow < deadline) { await Task.Delay(ProcessInspector.StartPoll); }
        }
    }

    public async Task StopAllAsync()
    {
        foreach (var p in _running)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync();
            p.Dispose();
        }
        _running.Clear();
    }
}
