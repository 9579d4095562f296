using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Monitor;
using Infra.Agent.Compute.Qemu;
using Infra.Agent.Compute.Runners;

namespace Infra.Agent.Compute.Manager;

public sealed partial class VmManager
{
    /// <summary>Starts a VM (with vCPUs stopped when <paramref name="paused"/>); returns qemu's PID.</summary>
    public Task<int> StartAsync(VmDefinition vm, bool paused, ulong rebootGeneration, CancellationToken ct) =>
        Gated(vm.Id, () => StartCoreAsync(vm, paused, rebootGeneration, ct), ct);

    /// <summary>Takes over a running qemu found on disk (after an agent restart).</summary>
    public Task AdoptAsync(string id, CancellationToken ct) => Gated(id, () => HeldAsync(id, ct), ct);

    /// <summary>Asks the guest to power off; powers off after <paramref name="timeout"/>.</summary>
    public Task ShutdownAsync(string id, TimeSpan timeout, CancellationToken ct) => Gated(id, () => StopCoreAsync(id, timeout, ct), ct);

    /// <summary>Powers off at once (QMP quit, then SIGKILL if qemu lingers).</summary>
    public Task PowerOffAsync(string id, CancellationToken ct) => Gated(id, () => StopCoreAsync(id, TimeSpan.Zero, ct), ct);

    /// <summary>Resets the guest.</summary>
    public Task RebootAsync(string id, ulong rebootGeneration, CancellationToken ct) => Gated(id, async () =>
    {
        await (await HeldAsync(id, ct)).Monitor.SystemResetAsync(ct);
        Update(id, r => r with { RebootGeneration = rebootGeneration });
    }, ct);

    /// <summary>
    /// Runs <paramref name="body"/> with the VM's monitor under the manager's gate, for operations
    /// compute does not model itself (hot-plug, group snapshots): qemu serves one QMP client at a
    /// time, so they must share the connection the manager holds.
    /// </summary>
    public Task<T> WithMonitorAsync<T>(string id, Func<IVmMonitor, Task<T>> body, CancellationToken ct) =>
        Gated(id, async () => await body((await HeldAsync(id, ct)).Monitor), ct);

    /// <summary>Stops the vCPUs.</summary>
    public Task PauseAsync(string id, CancellationToken ct) => Gated(id, async () => await (await HeldAsync(id, ct)).Monitor.StopAsync(ct), ct);

    /// <summary>Resumes the vCPUs.</summary>
    public Task ResumeAsync(string id, CancellationToken ct) => Gated(id, async () => await (await HeldAsync(id, ct)).Monitor.ContAsync(ct), ct);

    /// <summary>Rewrites the CPU quota of a running VM for a new cpu_mhz and the controller's quota for it.</summary>
    public Task SetCpuAsync(string id, int cpuMhz, int cpuQuotaPercent, CancellationToken ct) => Gated(id, async () =>
    {
        var rec = _store.Load(id) ?? throw new InvalidOperationException($"VM {id} is not known on this host");
        var def = rec.Definition with { CpuMhz = cpuMhz, CpuQuotaPercent = cpuQuotaPercent };
        var res = ResourcesFor(def);
        await _runner.SetResourcesAsync(id, res, ct);
        _store.Save(rec with { Definition = def });
        LogCpuSet(id, cpuMhz, res.Cpu.QuotaUs, res.Cpu.PeriodUs);
    }, ct);

    /// <summary>Swaps the config drive CD's medium for <paramref name="medium"/> (the agent rewrote the image) and records it.</summary>
    public Task ChangeConfigDriveAsync(string id, Model.ConfigDriveMedium medium, CancellationToken ct) => Gated(id, async () =>
    {
        var rec = _store.Load(id) ?? throw new InvalidOperationException($"VM {id} is not known on this host");
        var held = await HeldAsync(id, ct);
        await held.Monitor.ChangeMediumAsync(Model.ConfigDriveMedium.DeviceId, medium.Path, ct);
        _store.Save(rec with { Definition = rec.Definition with { ConfigDrive = medium } });
        LogConfigDriveChanged(id, medium.Sha256);
    }, ct);

    /// <summary>Stops the VM if it runs and removes its state directory and cgroup.</summary>
    public Task DeleteAsync(string id, TimeSpan shutdownTimeout, CancellationToken ct) => Gated(id, async () =>
    {
        if (_store.Load(id) is not null) await StopCoreAsync(id, shutdownTimeout, ct);
        await _runner.ReleaseAsync(id, ct);
        await Consoles.RemoveAsync(id);
        _store.Delete(id);
        LogDeleted(id);
    }, ct);

    private async Task<int> StartCoreAsync(VmDefinition vm, bool paused, ulong generation, CancellationToken ct)
    {
        var paths = _store.PathsOf(vm.Id);
        if ((await _runner.ObserveAsync(vm.Id, paths, ct)).Running)
            throw new InvalidOperationException($"VM {vm.Id} is already running");
        var accel = await _probe.ChooseAsync(ct);
        if (accel.Accelerator is not { } a) throw new VmStartException($"VM {vm.Id} cannot start: {accel.Error}");

        var argv = new List<string> { _options.QemuBinary };
        argv.AddRange(QemuCommandLine.Build(vm, new QemuLaunch { QemuBinary = _options.QemuBinary, Accelerator = a, Paths = paths, StartPaused = paused, RunAs = _qemuUser?.Name }));
        _store.Save(new VmRecord { Definition = vm, RebootGeneration = generation });
        foreach (var sock in new[] { paths.QmpSocket, paths.GuestAgentSocket, paths.ConsoleSocket }) File.Delete(sock);

        int pid;
        try
        {
            pid = await _runner.StartAsync(vm, argv, ResourcesFor(vm), paths, ct);
            // At once, so the console log has the guest's first words.
            await Consoles.StartedAsync(vm.Id, paths);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Record why, or the next observation would find no qemu and blame a crash "while the agent was away".
            Update(vm.Id, r => r with { DownAs = ObservedPower.Crashed, DownReason = $"start failed: {e.Message}" });
            throw;
        }
        try
        {
            // qemu writes its pidfile before it opens devices, so it can still fail here (a volume
            // socket that does not answer, say); QMP's greeting comes only once the machine is built.
            var monitor = await ConnectAsync(paths, ct, vm.Id);
            _held[vm.Id] = new Held(pid, monitor);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // A qemu we cannot control must not run on: kill it and report the start as failed.
            await _runner.KillAsync(vm.Id, paths, CancellationToken.None);
            Update(vm.Id, r => r with { DownAs = ObservedPower.Crashed, DownReason = $"start failed: {e.Message}; last serial log lines: {LogTail.Read(paths.SerialLog, _options.CrashLogLines)}" });
            throw;
        }
        LogStarted(vm.Id, pid, a.ToString());
        return pid;
    }

    /// <summary>The held VM, adopting it when it runs but this agent run does not hold it yet.</summary>
    private async Task<Held> HeldAsync(string id, CancellationToken ct)
    {
        var paths = _store.PathsOf(id);
        var proc = await _runner.ObserveAsync(id, paths, ct);
        if (!proc.Running) throw new InvalidOperationException($"VM {id} is not running");
        if (_held.TryGetValue(id, out var h) && h.Pid == proc.Pid) return h;
        var monitor = await ConnectAsync(paths, ct);
        var held = new Held(proc.Pid, monitor);
        if (_held.TryRemove(id, out var old)) await DisposeQuietly(old.Monitor);
        _held[id] = held;
        LogAdopted(id, proc.Pid);
        return held;
    }

    private async Task<IVmMonitor> ConnectAsync(VmPaths paths, CancellationToken ct, string? startingVm = null)
    {
        // qemu writes its pidfile before it listens on the QMP socket; retry within the timeout,
        // and when starting, stop as soon as qemu is seen to have exited.
        var deadline = _time.GetUtcNow() + _options.MonitorTimeout;
        while (true)
        {
            try { return await _monitors.ConnectAsync(paths.QmpSocket, _options.MonitorTimeout, ct); }
            catch (Exception e) when (_time.GetUtcNow() < deadline && !ct.IsCancellationRequested)
            {
                if (startingVm is not null && await _runner.ObserveAsync(startingVm, paths, ct) is { Running: false } gone)
                {
                    gone = await SettleExitAsync(startingVm, paths, gone, ct);
                    await _runner.ReleaseAsync(startingVm, ct);
                    var how = gone.Exit?.ToString() ?? "exited";
                    throw new VmStartException($"VM {startingVm}: qemu {how} at start: {LogTail.Read(paths.StdioLog, 5)}", e);
                }
                // qemu listens a few ms after its pidfile appears: retry at the runners' start pace.
                await Task.Delay(ProcessInspector.StartPoll, _time, ct);
            }
        }
    }

    /// <summary>The supervisor records the exit status a moment after qemu is gone: wait for it, briefly.</summary>
    private async Task<ProcessObservation> SettleExitAsync(string id, VmPaths paths, ProcessObservation gone, CancellationToken ct)
    {
        for (var i = 0; i < 20 && gone is { Running: false, Exit: null }; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, ct);
            gone = await _runner.ObserveAsync(id, paths, ct);
        }
        return gone;
    }

    private void Update(string id, Func<VmRecord, VmRecord> change)
    {
        if (_store.Load(id) is { } r) _store.Save(change(r));
    }

    private static async Task Try(Func<Task> call)
    {
        try { await call(); } catch (Exception e) when (e is not OperationCanceledException) { /* qemu may already be exiting */ }
    }

    private SemaphoreSlim GateOf(string id) => _gates.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    private async Task Gated(string id, Func<Task> body, CancellationToken ct)
    {
        var gate = GateOf(id);
        await gate.WaitAsync(ct);
        try { await body(); } finally { gate.Release(); }
    }

    private async Task<T> Gated<T>(string id, Func<Task<T>> body, CancellationToken ct)
    {
        var gate = GateOf(id);
        await gate.WaitAsync(ct);
        try { return await body(); } finally { gate.Release(); }
    }
}
