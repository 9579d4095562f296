using Infra.Agent.Compute.Monitor;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Agent.Vm.Snapshots;
using Infra.V1;

namespace Infra.Agent.Core.Commands;

public sealed partial class HostCommands
{
    /// <summary>
    /// A running VM: one group cut with the guest frozen (or its vCPUs paused) around it. A VM that
    /// does not run, or no VM: each volume is cut directly, since nothing writes to it. Quiesced is
    /// then true only for a VM whose desired power is STOPPED (it was shut down, its filesystems are
    /// clean); a paused or crashed VM, or a lone volume, gives a crash-consistent snapshot.
    /// </summary>
    private async Task<CommandResult> SnapshotAsync(SnapshotCommand c, CancellationToken ct)
    {
        var problems = new List<string>();
        if (c.VolumeIds.Count == 0) problems.Add("no volume_ids");
        if (c.VolumeIds.Count != c.SnapshotIds.Count) problems.Add($"{c.VolumeIds.Count} volume_ids but {c.SnapshotIds.Count} snapshot_ids; they pair by index");
        problems.AddRange(c.SnapshotIds.Where(s => !SnapshotNaming.IsValidId(s)).Select(s => $"snapshot id '{s}' must be 1-80 letters, digits, '-', '_' or '.', starting with a letter or digit"));
        if (c.SnapshotIds.Distinct().Count() != c.SnapshotIds.Count) problems.Add("snapshot_ids repeat");
        if (c.InstanceId.Length > 0 && desired().Resources.TryGetValue(new State.ResourceKey(DesiredKind.Vm, c.InstanceId), out var owner))
            problems.AddRange(c.VolumeIds.Where(v => !owner.Vm.VolumeIds.Contains(v)).Select(v => $"volume {v} is not a volume of instance {c.InstanceId}"));
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var pairs = c.VolumeIds.Zip(c.SnapshotIds, (v, s) => (Volume: LocalVolume(v), VolumeId: v, SnapshotId: s)).ToList();

        using var held = await LockAsync(c.VolumeIds, ct).ConfigureAwait(false);
        var existing = pairs.Where(p => File.Exists(SnapshotNaming.OverlayPath(p.Volume.BaseFile, p.SnapshotId))).ToList();
        if (existing.Count == pairs.Count) return await AlreadyTakenAsync(c, pairs.Select(p => (p.Volume.BaseFile, p.VolumeId, p.SnapshotId)).ToList(), ct).ConfigureAwait(false);
        if (existing.Count > 0)
            throw new InvalidOperationException($"snapshot ids {string.Join(", ", existing.Select(p => p.SnapshotId))} exist but not the others of this group; delete them and retry with new ids");

        // From here on not cancellable: a group cut half way would leave some ids taken and others not.
        ct.ThrowIfCancellationRequested();
        var cut = CancellationToken.None;
        string OverlayOf(string volumeId) => SnapshotNaming.OverlayPath(pairs.First(p => p.VolumeId == volumeId).Volume.BaseFile, pairs.First(p => p.VolumeId == volumeId).SnapshotId);
        var running = c.InstanceId.Length > 0 ? await RunStatusAsync(c.InstanceId, ct).ConfigureAwait(false) : null;
        bool quiesced; ulong windowUs; string how;
        if (running is { Running: true })
        {
            var request = new GroupSnapshotRequest(Path.GetDirectoryName(pairs[0].Volume.BaseFile)!, c.SnapshotIds[0], c.RequireQuiesce) { OverlayPathOf = OverlayOf };
            var group = await GroupSnapshotter.SnapshotAsync(vms, c.InstanceId, pairs.Select(p => p.Volume.Volume).ToList(), request, log, cut).ConfigureAwait(false);
            (quiesced, windowUs, how) = (group.Quiesced, (ulong)group.FreezeWindowUs, group.Method.ToString());
        }
        else
        {
            var vm = c.InstanceId.Length > 0 && desired().Resources.TryGetValue(new State.ResourceKey(DesiredKind.Vm, c.InstanceId), out var r) ? r.Vm : null;
            quiesced = running is null && vm is { PowerState: InstanceState.Stopped };
            if (c.RequireQuiesce && !quiesced)
                throw new SnapshotNotQuiescedException(c.InstanceId.Length > 0 ? c.InstanceId : "(none)",
                    running is not null ? "the VM is paused" : "no running guest to freeze and the VM is not shut down");
            foreach (var p in pairs) await p.Volume.Volume.SnapshotAsync(OverlayOf(p.VolumeId), cut).ConfigureAwait(false);
            (windowUs, how) = (0, running is not null ? "paused VM, direct cut" : "no running VM, direct cut");
        }
        _groups[c.SnapshotIds[0]] = (quiesced, windowUs);
        foreach (var p in pairs) SnapshotMarks.TryWrite(OverlayOf(p.VolumeId), quiesced, windowUs);
        var result = await BuildAsync(pairs.Select(p => (p.Volume.BaseFile, p.VolumeId, p.SnapshotId)).ToList(), quiesced, windowUs, cut).ConfigureAwait(false);
        LogSnapshot(string.Join(",", c.SnapshotIds), pairs.Count, quiesced, windowUs, how);
        return result;
    }

    /// <summary>Null when the VM has no running qemu (stopped, crashed, unknown).</summary>
    private async Task<VmRunStatus?> RunStatusAsync(string vmId, CancellationToken ct)
    {
        if (vms.Store.Load(vmId) is null) return null;
        try { return await vms.WithMonitorAsync(vmId, m => Task.FromResult(((QmpVmMonitor)m).LastStatus), ct).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { return null; }
    }

    /// <summary>A retry: answers from this run's memory, or (after a restart) from the overlays' marks (see <see cref="SnapshotMarks"/>).</summary>
    private async Task<CommandResult> AlreadyTakenAsync(SnapshotCommand c, IReadOnlyList<(string BaseFile, string VolumeId, string SnapshotId)> pairs, CancellationToken ct)
    {
        var (quiesced, windowUs) = _groups.TryGetValue(c.SnapshotIds[0], out var g) ? g
            : SnapshotMarks.TryRead(SnapshotNaming.OverlayPath(pairs[0].BaseFile, pairs[0].SnapshotId)) ?? (false, 0UL);
        return await BuildAsync(pairs, quiesced, windowUs, ct).ConfigureAwait(false);
    }

    private async Task<CommandResult> BuildAsync(IReadOnlyList<(string BaseFile, string VolumeId, string SnapshotId)> pairs, bool quiesced, ulong windowUs, CancellationToken ct)
    {
        var response = new SnapshotInstanceResponse { Quiesced = quiesced, FreezeWindowUs = windowUs };
        foreach (var (baseFile, volumeId, snapshotId) in pairs)
        {
            if (!_taken.TryGetValue(snapshotId, out var snap))
            {
                var size = (await images.InfoAsync(SnapshotNaming.OverlayPath(baseFile, snapshotId), ct).ConfigureAwait(false)).VirtualSize;
                snap = SnapshotResult.Of(snapshotId, volumeId, (ulong)size, quiesced);
                _taken[snapshotId] = snap;
            }
            response.Snapshots.Add(snap.Clone());
        }
        return new CommandResult { Snapshot = response };
    }
}

/// <summary>Pure: the Snapshot message one cut answers with.</summary>
public static class SnapshotResult
{
    /// <summary>meta.id = the snapshot id, the volume, its size at the cut, whether the guest was frozen; state AVAILABLE.</summary>
    public static Snapshot Of(string snapshotId, string volumeId, ulong sizeBytes, bool quiesced) => new()
    {
        Meta = new ObjectMeta { Id = snapshotId }, VolumeId = volumeId, SizeBytes = sizeBytes, Quiesced = quiesced, State = VolumeState.Available,
    };
}
