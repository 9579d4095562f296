using System.Collections.Concurrent;
using System.Diagnostics;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Runners;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Systemd.Manager;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Vm.Hosting;

/// <summary>
/// One host's VMs together with the volumes they use. A VM start first serves each volume from
/// its own qemu-storage-daemon (vhost-user-blk socket), then starts qemu on those sockets with
/// vCPUs stopped and lets it run with "cont": the VM counts as running when qemu announces RESUME.
/// The same host does hot-plug (<c>VmHost.Attach.cs</c>) and consistent group snapshots of all a
/// VM's volumes (<c>VmHost.Snapshot.cs</c>).
///
/// Which volumes belong to which VM is kept in memory for this agent run; VM records stay on
/// disk in compute's state directory and daemons are adopted by volume id on the next start.
/// </summary>
public sealed partial class VmHost : IAsyncDisposable
{
    private readonly VmHostOptions _options;
    private readonly VolumeServer _volumes;
    private readonly SystemdManager? _systemd;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, VmVolumes> _attached = new(StringComparer.Ordinal);

    internal VmHost(VmHostOptions options, VmManager manager, VolumeServer volumes, IVmRunner runner, SystemdManager? systemd, ILogger log, TimeProvider time)
    {
        (_options, Vms, _volumes, Runner, _systemd, _log, _time) = (options, manager, volumes, runner, systemd, log, time);
    }

    /// <summary>The VM manager (lifecycle, reconcile, observe).</summary>
    public VmManager Vms { get; }
    /// <summary>The runner chosen by config.</summary>
    public IVmRunner Runner { get; }

    /// <summary>The volumes a VM uses now, in guest order (boot volumes first, then hot-plugged).</summary>
    public IReadOnlyList<ServedVolume> VolumesOf(string vmId) =>
        _attached.TryGetValue(vmId, out var v) ? v.All() : [];

    /// <summary>
    /// Serves <paramref name="volumes"/> and starts <paramref name="vm"/> on them (its
    /// <see cref="VmDefinition.DiskSockets"/> are replaced by the volumes' sockets). Returns once qemu
    /// reported RESUME (or, for <paramref name="paused"/>, once QMP answered).
    /// </summary>
    public async Task<VmStarted> StartAsync(VmDefinition vm, IReadOnlyList<VolumeSpec> volumes, bool paused = false, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        var served = new List<ServedVolume>();
        try
        {
            foreach (var spec in volumes) served.Add(await _volumes.ServeOrAdoptAsync(spec, ct).ConfigureAwait(false));
            var volumesReady = sw.Elapsed;
            var def = vm with { DiskSockets = served.Select(v => v.VhostUserSocket).ToList() };
            _attached[vm.Id] = new VmVolumes(served);
            // Started with vCPUs stopped so that "running" is an event qemu sends, not a guess.
            var pid = await Vms.StartAsync(def, paused: true, rebootGeneration: 0, ct).ConfigureAwait(false);
            if (!paused) await Vms.ResumeAsync(vm.Id, ct).ConfigureAwait(false);
            LogVmStarted(vm.Id, pid, served.Count, sw.Elapsed.TotalMilliseconds);
            return new VmStarted(vm.Id, pid, volumesReady, sw.Elapsed);
        }
        catch
        {
            _attached.TryRemove(vm.Id, out _);
            foreach (var v in served) await QuietlyAsync(() => v.DisposeAsync().AsTask()).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The event-tracked run state qemu last announced for a running VM.</summary>
    public Task<Compute.Monitor.VmRunStatus?> StatusAsync(string vmId, CancellationToken ct = default) =>
        Vms.WithMonitorAsync(vmId, m => Task.FromResult(((QmpVmMonitor)m).LastStatus), ct);

    /// <summary>Stops the VM (graceful within <paramref name="shutdownTimeout"/>, then power off), removes its record and stops its volumes' daemons.</summary>
    public async Task DeleteAsync(string vmId, TimeSpan shutdownTimeout, CancellationToken ct = default)
    {
        await Vms.DeleteAsync(vmId, shutdownTimeout, ct).ConfigureAwait(false);
        await ReleaseVolumesAsync(vmId).ConfigureAwait(false);
        LogVmDeleted(vmId);
    }

    /// <summary>Stops the daemons of a VM that is down (after it exited on its own, say). The volume files stay.</summary>
    public async Task ReleaseVolumesAsync(string vmId)
    {
        if (!_attached.TryRemove(vmId, out var vols)) return;
        foreach (var v in vols.All()) await QuietlyAsync(() => v.DisposeAsync().AsTask()).ConfigureAwait(false);
    }

    /// <summary>Releases QMP connections and, because volumes are this run's, their daemons. VMs keep running under their runner.</summary>
    public async ValueTask DisposeAsync()
    {
        await Vms.DisposeAsync().ConfigureAwait(false);
        foreach (var id in _attached.Keys.ToList()) await ReleaseVolumesAsync(id).ConfigureAwait(false);
        if (_systemd is not null) await _systemd.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task QuietlyAsync(Func<Task> f)
    {
        try { await f().ConfigureAwait(false); } catch (Exception) { /* cleanup after a failure reports the first error */ }
    }

    /// <summary>A VM's volumes: the ones it booted with, and hot-plugged ones by slot.</summary>
    private sealed class VmVolumes(IReadOnlyList<ServedVolume> boot)
    {
        public IReadOnlyList<ServedVolume> Boot { get; } = boot;
        public ConcurrentDictionary<int, ServedVolume> HotPlugged { get; } = new();
        public IReadOnlyList<ServedVolume> All() => [.. Boot, .. HotPlugged.OrderBy(kv => kv.Key).Select(kv => kv.Value)];
    }
}

/// <summary>A VM that started: qemu's PID, when its volumes were served and when qemu reported it running.</summary>
public sealed record VmStarted(string VmId, int Pid, TimeSpan VolumesReady, TimeSpan Running);
