using Infra.V1;

namespace Infra.Controller.Southbound.Failure;

/// <summary>
/// Pure liveness rule: a host that has been silent for N heartbeat intervals is SUSPECT (no new VMs
/// go there) and after M intervals DOWN (its VMs are restarted elsewhere). Only heartbeats bring a
/// host back UP (the session does that), and hosts in MAINTENANCE are the operator's business.
/// </summary>
public static class HostLiveness
{
    /// <summary>The state the host should move to now, or null to leave it.</summary>
    public static HostState? Next(Host h, DateTimeOffset now, SouthboundOptions o)
    {
        if (h.State is not (HostState.Up or HostState.Suspect) || h.LastHeartbeat is null) return null;
        var silent = now - h.LastHeartbeat.ToDateTimeOffset();
        var missed = silent / o.HeartbeatInterval;
        if (missed >= o.DownAfterMissed) return HostState.Down;
        if (missed >= o.SuspectAfterMissed && h.State == HostState.Up) return HostState.Suspect;
        return null;
    }
}
