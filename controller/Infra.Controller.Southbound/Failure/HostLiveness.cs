using Infra.V1;

namespace Infra.Controller.Southbound.Failure;

/// <summary>
/// Pure liveness rule: a host that has been silent for N heartbeat intervals is SUSPECT (no new VMs
/// go there) and after M intervals DOWN (its VMs are restarted elsewhere). Only heartbeats bring a
/// host back UP (the session does that), and hosts in MAINTENANCE are the operator's business.
/// Silence is counted from the later of the last heartbeat and <c>watchingSince</c>, the moment the
/// deciding detector started watching (controller start, leadership won): while no controller was
/// watching, no heartbeat could be heard, so that time says nothing about the host.
/// </summary>
public static class HostLiveness
{
    /// <summary>The state the host should move to now, or null to leave it.</summary>
    public static HostState? Next(Host h, DateTimeOffset now, SouthboundOptions o, DateTimeOffset watchingSince = default)
    {
        if (h.State is not (HostState.Up or HostState.Suspect) || h.LastHeartbeat is null) return null;
        var heard = h.LastHeartbeat.ToDateTimeOffset();
        var silent = now - (heard > watchingSince ? heard : watchingSince);
        var missed = silent / o.HeartbeatInterval;
        if (missed >= o.DownAfterMissed) return HostState.Down;
        if (missed >= o.SuspectAfterMissed && h.State == HostState.Up) return HostState.Suspect;
        return null;
    }
}
