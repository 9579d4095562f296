using System.Collections.Concurrent;
using Infra.Agent.Compute.Accel;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Monitor;
using Infra.Agent.Compute.Runners;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Compute.Manager;

/// <summary>
/// Owns the VMs of one host. The VMs themselves are owned by their runner (systemd unit or
/// detached supervisor), never by the agent's process: disposing the manager, or killing the
/// agent, leaves every VM running. A new manager over the same state directory finds them again
/// (<see cref="ObserveAsync"/>), adopts the running ones and diagnoses the ones that died meanwhile.
///
/// Operations on one VM are serialised by that VM's gate (its record and its runner's view stay
/// consistent); different VMs never wait for each other. Stops and deletes planned by
/// <see cref="ReconcileAsync"/> may run in the background (<see cref="ComputeOptions.StopInBackground"/>):
/// a guest's 30 s graceful shutdown then holds only its own gate, while the other VMs are started,
/// observed and reported meanwhile.
/// </summary>
public sealed partial class VmManager : IAsyncDisposable
{
    private readonly ComputeOptions _options;
    private readonly IVmRunner _runner;
    private readonly IVmMonitorFactory _monitors;
    private readonly IAcceleratorProbe _probe;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly VmStore _store;
    // Null: qemu stays root (ComputeOptions.QemuUser empty, development only).
    private readonly Qemu.QemuUser? _qemuUser;
    // One gate per VM id; never removed (a few bytes per VM id ever seen by this agent run).
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    // The last observation of each VM, answered while the VM's gate is busy instead of waiting for it.
    private readonly ConcurrentDictionary<string, ObservedVm> _lastSeen = new(StringComparer.Ordinal);
    // VMs this agent run holds: started here, or adopted after a restart.
    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);

    private sealed class Held(int pid, IVmMonitor monitor)
    {
        public int Pid { get; } = pid;
        public IVmMonitor Monitor { get; } = monitor;
    }

    /// <summary>A manager over <see cref="ComputeOptions.StateRoot"/>.</summary>
    public VmManager(ComputeOptions options, IVmRunner runner, IVmMonitorFactory monitors, IAcceleratorProbe probe, TimeProvider time, ILogger<VmManager> log)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException($"invalid compute options: {string.Join("; ", errors)}", nameof(options));
        (_options, _runner, _monitors, _probe, _time, _log) = (options, runner, monitors, probe, time, log);
        _store = new VmStore(options.StateRoot);
        // Resolved once, here, so an agent on a host without the account refuses to start and says how to fix it.
        _qemuUser = options.QemuUser.Length == 0 ? null : Qemu.QemuUser.Resolve(options.QemuUser);
        if (_qemuUser is null) LogQemuStaysRoot();
        Consoles = new Console.ConsoleHub(new Console.ConsoleOptions { LogBytes = options.ConsoleLogBytes }, time, log);
    }

    /// <summary>The VMs' serial consoles (connected as VMs start or are found running).</summary>
    public Console.ConsoleHub Consoles { get; }

    /// <summary>The on-disk records.</summary>
    public VmStore Store => _store;

    /// <summary>The PID of a VM this run holds, or null.</summary>
    public int? PidOf(string id) => _held.TryGetValue(id, out var h) ? h.Pid : null;

    private VmResources ResourcesFor(Model.VmDefinition d) =>
        VmResources.For(d.CpuQuotaPercent, d.Vcpus, d.MemoryMib, _options.MemoryOverheadMib);

    /// <summary>Every VM on disk as it is now. Diagnoses (and records) VMs that went down.</summary>
    public async Task<IReadOnlyList<ObservedVm>> ObserveAsync(CancellationToken ct)
    {
        var result = new List<ObservedVm>();
        foreach (var id in _store.List())
        {
            var gate = GateOf(id);
            // A VM whose gate is held (a shutdown in progress, a snapshot) is reported as last seen, marked
            // busy, rather than making every other VM's observation wait for it.
            if (IsBackground(id) || !await gate.WaitAsync(0, ct))
            {
                if (_store.Load(id) is { } busy)
                    result.Add((_lastSeen.GetValueOrDefault(id) ?? new ObservedVm(id, ObservedPower.Running, true, busy.Definition.CpuMhz, busy.RebootGeneration)) with { Busy = true });
                continue;
            }
            try
            {
                if (_store.Load(id) is not { } rec) continue;
                var seen = await ObserveOneAsync(rec, ct);
                _lastSeen[id] = seen;
                result.Add(seen);
            }
            finally { gate.Release(); }
        }
        return result;
    }

    private async Task<ObservedVm> ObserveOneAsync(VmRecord rec, CancellationToken ct)
    {
        var id = rec.Definition.Id;
        var paths = _store.PathsOf(id);
        var proc = await _runner.ObserveAsync(id, paths, ct);
        if (proc.Running)
        {
            Consoles.Observed(id, paths);
            var held = _held.TryGetValue(id, out var h) && h.Pid == proc.Pid ? h : null;
            var running = await QueryPowerAsync(held?.Monitor, paths, ct);
            return new ObservedVm(id, running, held is not null, rec.Definition.CpuMhz, rec.RebootGeneration, proc.Pid) 
            {
                ConfigDriveSha256 = rec.Definition.ConfigDrive?.Sha256,
                ColdDisks = rec.Definition.DiskSockets, HotDisks = rec.HotDisks, HotplugSlots = rec.Definition.HotplugSlots,
            };
        }
        var wasHeld = _held.TryRemove(id, out var gone);
        if (gone is not null) await DisposeQuietly(gone.Monitor);
        if (rec.DownAs is { } downAs) return new ObservedVm(id, downAs, true, rec.Definition.CpuMhz, rec.RebootGeneration, 0, rec.DownReason);

        if (!rec.StoppedOnRequest) proc = await SettleExitAsync(id, paths, proc, ct);
        var (power, reason) = Diagnose(rec, proc.Exit, wasHeld, paths);
        _store.Save(rec with { DownAs = power, DownReason = reason });
        await _runner.ReleaseAsync(id, ct);
        if (power == ObservedPower.Crashed) LogCrashed(id, reason ?? "");
        return new ObservedVm(id, power, true, rec.Definition.CpuMhz, rec.RebootGeneration, 0, reason);
    }

    private (ObservedPower, string?) Diagnose(VmRecord rec, ProcessExit? exit, bool wasHeld, Model.VmPaths paths)
    {
        if (rec.StoppedOnRequest) return (ObservedPower.Stopped, null);
        if (exit is { Clean: true }) return (ObservedPower.Exited, "the guest powered off");
        var when = wasHeld ? "" : " while the agent was away";
        var how = exit is null ? "exited (no exit status was recorded)" : exit.ToString();
        return (ObservedPower.Crashed, $"qemu {how}{when}; last serial log lines: {LogTail.Read(paths.SerialLog, _options.CrashLogLines)}");
    }

    private async Task<ObservedPower> QueryPowerAsync(IVmMonitor? held, Model.VmPaths paths, CancellationToken ct)
    {
        try
        {
            if (held is not null) return Power(await held.QueryStatusAsync(ct));
            await using var m = await _monitors.ConnectAsync(paths.QmpSocket, _options.MonitorTimeout, ct);
            return Power(await m.QueryStatusAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // qemu runs but QMP does not answer (busy, or exiting this instant): report it as running.
            LogMonitorUnavailable(paths.QmpSocket, e.Message);
            return ObservedPower.Running;
        }
        static ObservedPower Power(VmRunStatus s) => s.Running ? ObservedPower.Running : ObservedPower.Paused;
    }

    /// <summary>Releases monitor connections. VMs keep running.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopBackgroundAsync();
        await Consoles.DisposeAsync();
        foreach (var h in _held.Values) await DisposeQuietly(h.Monitor);
        _held.Clear();
    }

    private static async Task DisposeQuietly(IVmMonitor m)
    {
        try { await m.DisposeAsync(); } catch (Exception) { /* a broken connection has nothing left to close */ }
    }
}
