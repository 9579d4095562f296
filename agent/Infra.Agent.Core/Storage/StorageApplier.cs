using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.Agent.Core.Status;
using Infra.Agent.Storage.Daemon;
using Infra.Agent.Storage.Images;
using Infra.Agent.Storage.Volumes;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Storage;

/// <summary>
/// Serves every desired volume with its own qemu-storage-daemon exporting
/// <c>runRoot/&lt;id&gt;/vhost.sock</c> (applied before compute, so qemu finds its disks), adopting
/// daemons left running by a previous agent. A volume that is no longer desired stops being
/// served, but its file is kept (logged): data is only ever deleted by an explicit operator action,
/// never as a side effect of a desired state that may be stale or wrong: the one such action is a
/// purge spec (see StorageApplier.Purge.cs).
/// <paramref name="heldByVms"/> names the volumes a running qemu still has plugged in: storage is
/// applied before compute, so a volume detached from a running VM would otherwise lose its daemon
/// before compute has unplugged it from the guest; it keeps being served until the unplug is done.
/// </summary>
public sealed partial class StorageApplier(VolumeServer server, QemuImg images, StorageLayout layout, string runRoot, ILogger log,
    Func<IReadOnlySet<string>>? heldByVms = null)
    : IResourceApplier, IStatusSource, IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ServedVolume> _served = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private IReadOnlyDictionary<string, string?> _status = new Dictionary<string, string?>();
    private IReadOnlySet<string> _inUse = new HashSet<string>();
    private IReadOnlySet<string> _purged = new HashSet<string>();

    /// <inheritdoc/>
    public string Name => "storage";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var sources = await SnapshotSources.ResolveAsync(snapshot, layout, images, ct);
        var mapped = VolumeMapping.Map(snapshot, layout, File.Exists, s => sources.GetValueOrDefault(s));
        var errors = mapped.Errors.ToList();
        var desired = mapped.Value.ToDictionary(v => v.Spec.Id, StringComparer.Ordinal);
        // A volume a desired VM still names keeps being served even if its own spec went away or
        // broke: stopping the daemon would pull the disk out from under a running guest.
        var inUse = snapshot.OfKind(DesiredKind.Vm).SelectMany(r => r.Vm.VolumeIds).ToHashSet(StringComparer.Ordinal);
        if (heldByVms is not null) inUse.UnionWith(heldByVms());
        var purges = snapshot.OfKind(DesiredKind.Volume).Select(r => r.Volume).Where(v => v.Purge).ToList();
        var keep = errors.Select(e => e.Ref.Id).Concat(inUse).ToHashSet(StringComparer.Ordinal);
        var observed = new StoragePlanner.Observed(
            _served.ToDictionary(kv => kv.Key, kv => !kv.Value.Daemon.Process.HasExited, StringComparer.Ordinal),
            Directory.Exists(runRoot) ? Directory.GetDirectories(runRoot).Select(Path.GetFileName).OfType<string>().ToList() : []);
        var usedBy = snapshot.OfKind(DesiredKind.Vm).SelectMany(r => r.Vm.VolumeIds.Select(v => (Volume: v, Vm: r.Vm.Id)))
            .GroupBy(x => x.Volume, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(x => x.Vm).ToList(), StringComparer.Ordinal);

        var purged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in StoragePlanner.Plan(desired, keep, purges, observed))
        {
            switch (action)
            {
                case StorageAction.Stop stop:
                    if (_served.TryRemove(stop.Id, out var served)) await StopAsync(stop.Id, served, stop.Purging);
                    break;
                case StorageAction.StopStray stray:
                    await StopStrayAsync(stray.Id, ct);
                    break;
                case StorageAction.Purge purge:
                    if (await TryPurgeAsync(purge.Spec, inUse, usedBy, ct) is { } refused) errors.Add(VolumeMapping.Error(purge.Spec.Id, refused));
                    else purged.Add(purge.Spec.Id);
                    break;
                case StorageAction.Serve serve:
                    if (await ServeAsync(serve, ct) is { } failed) errors.Add(failed);
                    break;
            }
        }

        var status = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in desired.Keys) status[id] = null;
        foreach (var e in errors) status[e.Ref.Id] = e.Error;
        lock (_gate) { _status = status; _inUse = inUse; _purged = purged; }
        return errors;
    }

    /// <summary>A daemon of a previous agent in runRoot that no desired volume owns (removed while the agent was away).</summary>
    private async Task StopStrayAsync(string id, CancellationToken ct)
    {
        try
        {
            if (await StorageDaemon.AttachAsync(Path.Combine(runRoot, id), ct) is not { } daemon) return;
            LogStopped(id, daemon.Process.Pid);
            await daemon.DisposeAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException) { LogServeFailed(id, "stopping a stray daemon: " + e.Message); }
    }

    /// <summary>Serves (or adopts) one desired volume, creating its file first when the spec asks; the error when it cannot.</summary>
    private async Task<ResourceError?> ServeAsync(StorageAction.Serve serve, CancellationToken ct)
    {
        var (id, v) = (serve.Volume.Spec.Id, serve.Volume);
        if (serve.Died && _served.TryRemove(id, out var dead)) { LogDaemonDied(id, dead.Daemon.Process.Pid); await dead.DisposeAsync(); }
        try
        {
            if (v.CreateBytes > 0 && v.Spec.Backend is Qcow2Backend or RawFileBackend)
            {
                var (path, format) = v.Spec.Backend is Qcow2Backend q ? (q.Path, ImageFormat.Qcow2) : (((RawFileBackend)v.Spec.Backend).Path, ImageFormat.Raw);
                if (!File.Exists(path)) { await images.CreateAsync(path, format, v.CreateBytes, ct); LogCreated(id, path, v.CreateBytes); }
            }
            _served[id] = await server.ServeOrAdoptAsync(v.Spec, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogServeFailed(id, e.Message);
            return VolumeMapping.Error(id, $"cannot serve volume: {e.Message}");
        }
    }

    private async Task StopAsync(string id, ServedVolume volume, bool purging)
    {
        LogStopped(id, volume.Daemon.Process.Pid);
        if (!purging && volume.ActiveImage is { } file) LogKeptFile(id, file);
        try { await volume.DisposeAsync(); }
        catch (Exception e) { LogServeFailed(id, "stopping: " + e.Message); }
    }

    /// <summary>The served volume <paramref name="id"/>, or null when this agent does not serve it (now).</summary>
    public ServedVolume? Served(string id) => _served.TryGetValue(id, out var v) ? v : null;

    /// <summary>Every volume served now.</summary>
    public IReadOnlyList<ServedVolume> AllServed => _served.Values.ToList();

    /// <summary>Where this host keeps volume files.</summary>
    public StorageLayout Layout => layout;

    /// <inheritdoc/>
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        IReadOnlyDictionary<string, string?> status; IReadOnlySet<string> inUse, purged;
        lock (_gate) { status = _status; inUse = _inUse; purged = _purged; }
        foreach (var id in purged) report.Volumes.Add(new VolumeStatus { Id = id, Purged = true });
        foreach (var (id, error) in status)
            report.Volumes.Add(error is null
                ? new VolumeStatus { Id = id, State = inUse.Contains(id) ? VolumeState.InUse : VolumeState.Available }
                : new VolumeStatus { Id = id, State = VolumeState.Error, Reason = error });
        return Task.CompletedTask;
    }

    /// <summary>The agent is going away: let go of the daemons, which keep serving the VMs.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var v in _served.Values)
            try { await v.DetachAsync(); } catch (Exception) { /* closing a socket; nothing to do about it */ }
        _served.Clear();
    }
}
