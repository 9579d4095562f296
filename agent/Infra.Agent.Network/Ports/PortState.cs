using Infra.Agent.Network.Switch;
using Infra.Ovsdb.Monitor;

namespace Infra.Agent.Network.Ports;

/// <summary>What the switch reports for one of our ports: its OpenFlow number (null until assigned or on error) and link state.</summary>
public sealed record PortState(string Owner, string InterfaceName, int? OfPort, bool LinkUp, string? Error);

public static class PortStates
{
    /// <summary>Reads port states from the OVSDB replica (kept current by the monitor) for ports the agent owns.</summary>
    public static IReadOnlyList<PortState> Read(OvsdbReplica replica, string bridgeName)
    {
        var observed = ObservedSwitch.From(replica, bridgeName);
        return observed.Ports
            .Where(p => p.Interface is not null && p.ExternalIds.GetValueOrDefault(SwitchPlanner.OwnerKey) == SwitchPlanner.OwnerValue)
            .Select(p => new PortState(
                p.ExternalIds.GetValueOrDefault(SwitchPlanner.PortIdKey)
                    ?? (p.ExternalIds.GetValueOrDefault(SwitchPlanner.ServiceKey) is { } svc ? $"service:{svc}" : $"tunnel:{p.ExternalIds.GetValueOrDefault(SwitchPlanner.TunnelHostKey)}"),
                p.Interface!.Name,
                p.Interface.OfPort is > 0 ? p.Interface.OfPort : null,
                p.Interface.LinkState == "up",
                p.Interface.Error))
            .OrderBy(s => s.InterfaceName, StringComparer.Ordinal)
            .ToArray();
    }
}
