using Infra.Agent.Storage.Volumes;

namespace Infra.Agent.Vm.Snapshots;

/// <summary>What a group snapshot of a VM's volumes should do.</summary>
/// <param name="OverlayDirectory">Where the new overlays go (one qcow2 per volume, named &lt;volume&gt;-&lt;tag&gt;.qcow2).</param>
/// <param name="Tag">Names this snapshot's overlays; unique per VM.</param>
/// <param name="RequireQuiesce">Fail instead of falling back to a crash-consistent snapshot when the guest cannot freeze.</param>
public sealed record GroupSnapshotRequest(string OverlayDirectory, string Tag, bool RequireQuiesce = false)
{
    /// <summary>Where a volume's new overlay goes; by default &lt;OverlayDirectory&gt;/&lt;volume&gt;-&lt;Tag&gt;.qcow2.</summary>
    public Func<string, string>? OverlayPathOf { get; init; }

    /// <summary>The overlay path for <paramref name="volumeId"/>.</summary>
    public string OverlayPath(string volumeId) => OverlayPathOf?.Invoke(volumeId) ?? Path.Combine(OverlayDirectory, $"{volumeId}-{Tag}.qcow2");

    /// <summary>How long to wait for the guest agent to answer at all (its absence costs this much).</summary>
    public TimeSpan AgentTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How long guest-fsfreeze-freeze may take (it flushes every filesystem).</summary>
    public TimeSpan FreezeTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>How the guest was held still while its volumes were cut.</summary>
public enum QuiesceMethod
{
    /// <summary>The guest agent froze the filesystems: application-consistent.</summary>
    GuestFreeze,
    /// <summary>No agent: the vCPUs were stopped (QMP stop/cont), so every disk is cut at the same instant: crash-consistent.</summary>
    VcpuPause,
    /// <summary>No agent and the VM was already paused: nothing to do, crash-consistent.</summary>
    AlreadyPaused,
}

/// <summary>One volume's part of a group snapshot.</summary>
public sealed record VolumeGroupMember(string VolumeId, VolumeSnapshot Snapshot, string Overlay);

/// <summary>A group snapshot: every volume of the VM, cut together.</summary>
/// <param name="Volumes">Each volume's snapshot image (never written again) and its new overlay.</param>
/// <param name="Quiesced">True when the guest's filesystems were frozen.</param>
/// <param name="Method">How the guest was held still.</param>
/// <param name="FreezeWindowUs">Microseconds from the freeze (or stop) command to the thaw (or cont) reply: how long the guest's I/O was held.</param>
/// <param name="Steps">What was done, in order ("freeze", "snapshot vol", "thaw", "stop", "cont").</param>
/// <param name="NotQuiescedBecause">Why the guest was not frozen, when it was not.</param>
public sealed record GroupSnapshot(IReadOnlyList<VolumeGroupMember> Volumes, bool Quiesced, QuiesceMethod Method, long FreezeWindowUs,
    IReadOnlyList<string> Steps, string? NotQuiescedBecause);

/// <summary>A snapshot that had to be quiesced could not be: nothing was snapshotted, nothing is left frozen or paused.</summary>
public sealed class SnapshotNotQuiescedException(string vmId, string reason)
    : Exception($"VM {vmId}: snapshot requires a quiesced guest, but the guest could not be frozen ({reason}); install and start qemu-guest-agent in the guest, or allow a crash-consistent snapshot")
{
    /// <summary>Why freezing failed.</summary>
    public string Reason { get; } = reason;
}
