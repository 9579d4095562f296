using Infra.Controller.Core.Placement;

namespace Infra.Controller.Southbound;

/// <summary>
/// Southbound configuration. A host is SUSPECT after <see cref="SuspectAfterMissed"/> heartbeat
/// intervals without one and DOWN after <see cref="DownAfterMissed"/>; DOWN moves its VMs elsewhere,
/// so it should be long enough to ride out an agent restart or a controller failover.
/// </summary>
public sealed record SouthboundOptions
{
    /// <summary>This replica's name, sent in Welcome and used as its election value.</summary>
    public string ControllerId { get; init; } = Environment.MachineName;
    /// <summary>How often agents must send a Heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
    public int SuspectAfterMissed { get; init; } = 3;
    public int DownAfterMissed { get; init; } = 12;
    /// <summary>How often the leader's failure detector looks at heartbeats.</summary>
    public TimeSpan DetectorInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Store changes arriving within this window are folded into one recompute per host.</summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>Graceful shutdown time given to every VM.</summary>
    public uint ShutdownTimeoutSeconds { get; init; } = 60;
    /// <summary>Capacity rules used when re-placing the VMs of a DOWN host.</summary>
    public PlacementPolicy Placement { get; init; } = new();
    /// <summary>TTL of the failure detector's leader lease.</summary>
    public TimeSpan LeaderLeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TTL of the lease under this replica's session directory entries: how long other replicas
    /// may still relay to it after it died without revoking.</summary>
    public TimeSpan SessionLeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem at once; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (string.IsNullOrWhiteSpace(ControllerId)) e.Add("controller id is empty: set it to this replica's name");
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval.TotalMilliseconds > uint.MaxValue) e.Add($"heartbeat interval {HeartbeatInterval} must be positive and fit in milliseconds");
        if (SuspectAfterMissed < 1) e.Add($"suspect-after-missed must be at least 1, got {SuspectAfterMissed}");
        if (DownAfterMissed <= SuspectAfterMissed) e.Add($"down-after-missed ({DownAfterMissed}) must be greater than suspect-after-missed ({SuspectAfterMissed})");
        if (DetectorInterval <= TimeSpan.Zero) e.Add($"detector interval {DetectorInterval} must be positive");
        if (CoalesceWindow < TimeSpan.Zero) e.Add($"coalesce window {CoalesceWindow} must not be negative");
        if (LeaderLeaseTtl < TimeSpan.FromSeconds(1)) e.Add($"leader lease TTL {LeaderLeaseTtl} must be at least 1 s");
        if (SessionLeaseTtl < TimeSpan.FromSeconds(1)) e.Add($"session lease TTL {SessionLeaseTtl} must be at least 1 s");
        e.AddRange(Placement.Validate());
        return e;
    }
}
