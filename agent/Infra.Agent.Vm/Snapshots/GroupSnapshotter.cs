using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Infra.Agent.Compute.Manager;
using Infra.Agent.Storage.Volumes;
using Infra.Agent.Vm.Monitor;
using Infra.Qmp;
using Infra.Qmp.GuestAgent;

namespace Infra.Agent.Vm.Snapshots;

/// <summary>
/// Consistent group snapshots. All of a VM's volumes must be cut at one instant, yet each lives in
/// its own daemon, so the guest is held still around the group: its filesystems are frozen by the
/// guest agent when one answers (application-consistent), otherwise its vCPUs are stopped over
/// QMP so no write can land between two volumes' cuts (crash-consistent). Volumes are cut in
/// parallel to keep the window short. Whatever happens, the guest is thawed and resumed before
/// this returns: a frozen guest is an outage.
/// </summary>
public static partial class GroupSnapshotter
{
    /// <summary>
    /// Cuts <paramref name="volumes"/> of running VM <paramref name="vmId"/> (managed by
    /// <paramref name="vms"/>) as one consistent group; each new overlay goes where
    /// <see cref="GroupSnapshotRequest.OverlayPath"/> says.
    /// </summary>
    /// <exception cref="SnapshotNotQuiescedException">RequireQuiesce and the guest could not be frozen.</exception>
    public static async Task<GroupSnapshot> SnapshotAsync(VmManager vms, string vmId, IReadOnlyList<ServedVolume> volumes,
        GroupSnapshotRequest request, ILogger log, CancellationToken ct = default)
    {
        if (volumes.Count == 0) throw new InvalidOperationException($"VM {vmId}: no volumes to snapshot");
        var paths = vms.Store.PathsOf(vmId);
        return await vms.WithMonitorAsync(vmId, async m =>
        {
            var monitor = (QmpVmMonitor)m;
            var steps = new List<string>();
            await using var agent = await ConnectAgentAsync(paths.GuestAgentSocket, request, ct).ConfigureAwait(false);
            string? notQuiesced = agent is null ? "no guest agent channel" : await ProbeAgentAsync(agent, request, ct).ConfigureAwait(false);
            if (notQuiesced is not null && request.RequireQuiesce) throw new SnapshotNotQuiescedException(vmId, notQuiesced);

            var window = Stopwatch.StartNew();
            var method = QuiesceMethod.GuestFreeze;
            var frozen = false;
            var paused = false;
            try
            {
                if (notQuiesced is null)
                {
                    (frozen, notQuiesced) = await FreezeAsync(agent!, request, steps, ct).ConfigureAwait(false);
                    if (!frozen && request.RequireQuiesce) throw new SnapshotNotQuiescedException(vmId, notQuiesced!);
                }
                if (!frozen)
                {
                    LogNoQuiesce(log, vmId, notQuiesced!);
                    method = QuiesceMethod.AlreadyPaused;
                    if (monitor.LastStatus is not { Running: false })
                    {
                        window.Restart();
                        await monitor.StopAsync(ct).ConfigureAwait(false);
                        (paused, method) = (true, QuiesceMethod.VcpuPause);
                        steps.Add("stop");
                    }
                }
                var members = await Task.WhenAll(volumes.Select(async v =>
                {
                    var overlay = request.OverlayPath(v.Spec.Id);
                    var snap = await v.SnapshotAsync(overlay, ct).ConfigureAwait(false);
                    return new VolumeGroupMember(v.Spec.Id, snap, overlay);
                })).ConfigureAwait(false);
                steps.AddRange(members.Select(x => $"snapshot {x.VolumeId}"));
                await UndoAsync(log, vmId, agent, monitor, frozen, paused, steps).ConfigureAwait(false);
                (frozen, paused) = (false, false);
                var us = window.Elapsed.Ticks / 10;
                LogSnapshot(log, vmId, members.Length, method.ToString(), us);
                return new GroupSnapshot(members, method == QuiesceMethod.GuestFreeze, method, us, steps, notQuiesced);
            }
            finally
            {
                // Reached with something held only when a step failed: release it, then let the error through.
                if (frozen || paused) await UndoAsync(log, vmId, agent, monitor, frozen, paused, steps).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
    }

    private static async Task<GuestAgentClient?> ConnectAgentAsync(string socket, GroupSnapshotRequest r, CancellationToken ct)
    {
        if (!File.Exists(socket)) return null;
        try { return await GuestAgentClient.ConnectAsync(socket, new GuestAgentOptions { SyncTimeout = r.AgentTimeout, FreezeTimeout = r.FreezeTimeout }, ct).ConfigureAwait(false); }
        catch (QmpConnectionClosedException) { return null; }
    }

    /// <summary>Null when an agent answers; otherwise why not.</summary>
    private static async Task<string?> ProbeAgentAsync(GuestAgentClient agent, GroupSnapshotRequest r, CancellationToken ct)
    {
        try { await agent.SyncAsync(r.AgentTimeout, ct).ConfigureAwait(false); return null; }
        catch (Exception e) when (e is QmpException) { return $"no guest agent answered: {e.Message}"; }
    }

    /// <summary>Freezes and checks that the guest says "frozen"; on any doubt thaws and reports why.</summary>
    private static async Task<(bool Frozen, string? Why)> FreezeAsync(GuestAgentClient agent, GroupSnapshotRequest r, List<string> steps, CancellationToken ct)
    {
        try
        {
            var result = await agent.FreezeAsync(r.FreezeTimeout, ct).ConfigureAwait(false);
            steps.Add("freeze");
            if (result.Status != FreezeStatus.Frozen) return (false, result.Detail ?? $"freeze answered {result.Status}");
            var status = await agent.GetFreezeStatusAsync(r.AgentTimeout, ct).ConfigureAwait(false);
            if (status == FreezeStatus.Frozen) return (true, null);
            await ThawQuietlyAsync(agent, steps).ConfigureAwait(false);
            return (false, $"the guest reports its filesystems {status} right after the freeze");
        }
        catch (Exception e) when (e is QmpException)
        {
            // A freeze that timed out may still complete in the guest: thaw to be sure.
            await ThawQuietlyAsync(agent, steps).ConfigureAwait(false);
            return (false, $"freeze failed: {e.Message}");
        }
    }

    private static async Task ThawQuietlyAsync(GuestAgentClient agent, List<string> steps)
    {
        try { await agent.ThawAsync(ct: CancellationToken.None).ConfigureAwait(false); steps.Add("thaw"); }
        catch (Exception e) when (e is QmpException) { }
    }

    private static async Task UndoAsync(ILogger log, string vmId, GuestAgentClient? agent, QmpVmMonitor monitor, bool frozen, bool paused, List<string> steps)
    {
        // Not cancellable: a guest must never stay frozen or stopped because a caller gave up.
        if (frozen)
        {
            try { await agent!.ThawAsync(ct: CancellationToken.None).ConfigureAwait(false); steps.Add("thaw"); }
            catch (Exception e) { LogUndoFailed(log, vmId, "freeze", e.Message); throw; }
        }
        if (paused)
        {
            try { await monitor.ContAsync(CancellationToken.None).ConfigureAwait(false); steps.Add("cont"); }
            catch (Exception e) { LogUndoFailed(log, vmId, "vCPU stop", e.Message); throw; }
        }
    }
}
