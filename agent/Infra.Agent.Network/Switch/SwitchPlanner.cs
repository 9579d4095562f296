using System.Globalization;
using Infra.Agent.Network.Model;

namespace Infra.Agent.Network.Switch;

/// <summary>
/// Pure planner: (desired spec, observed switch) -> the OVSDB row changes that make them equal.
/// The agent owns only what it marked: ports carrying <see cref="OwnerKey"/> in external_ids. Ports
/// without the mark (the bridge's own internal port, anything an operator added) are never touched,
/// and keys we do not own in other_config/external_ids are left as they are. An empty plan means
/// "already right", which is what makes restarts and repeated runs free. With
/// <see cref="HostNetworkSpec.KeepUndesired"/> no port is removed.
/// </summary>
public static class SwitchPlanner
{
    public const string OwnerKey = "infra-owner";
    public const string OwnerValue = "agent";
    public const string PortIdKey = "infra-port-id";
    public const string TunnelHostKey = "infra-tunnel-host";
    public const string ServiceKey = "infra-service";

    public static IReadOnlyList<SwitchAction> Plan(HostNetworkSpec desired, ObservedSwitch observed)
    {
        var actions = new List<SwitchAction>();
        var otherConfig = new Dictionary<string, string> { ["datapath-id"] = desired.DatapathId.ToString("x16", CultureInfo.InvariantCulture) };
        if (observed.Bridge is null) actions.Add(new CreateBridge(desired.BridgeName, desired.DatapathType, otherConfig));
        else if ((observed.Bridge.DatapathType is "" ? "system" : observed.Bridge.DatapathType) != desired.DatapathType || !Contains(observed.Bridge.OtherConfig, otherConfig))
            actions.Add(new UpdateBridge(observed.Bridge.Uuid, desired.DatapathType, otherConfig));

        var want = DesiredPorts(desired).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var port in observed.Ports)
        {
            var ours = port.ExternalIds.GetValueOrDefault(OwnerKey) == OwnerValue;
            if (!want.TryGetValue(port.Name, out var shape))
            {
                if (ours && !desired.KeepUndesired) actions.Add(new RemovePort(port.Uuid, port.Name));
                continue;
            }
            want.Remove(port.Name);
            if (port.Interface is null) { actions.Add(new RemovePort(port.Uuid, port.Name)); actions.Add(new AddPort(shape)); continue; }
            if (!Matches(port, shape)) actions.Add(new UpdateInterface(port.Interface.Uuid, port.Uuid, shape));
        }
        foreach (var shape in want.Values.OrderBy(s => s.Name, StringComparer.Ordinal)) actions.Add(new AddPort(shape));
        return actions;
    }

    public static IEnumerable<PortShape> DesiredPorts(HostNetworkSpec d)
    {
        foreach (var p in d.Peers)
            yield return new PortShape(p.PortName, "gre",
                new Dictionary<string, string> { ["remote_ip"] = p.RemoteIp, ["key"] = "flow" },
                p.EffectiveOfPort,
                new Dictionary<string, string> { [OwnerKey] = OwnerValue, [TunnelHostKey] = p.HostId });
        foreach (var s in d.ServicePorts)
            yield return new PortShape(s.InterfaceName, "internal", new Dictionary<string, string>(), s.OfPortRequest,
                new Dictionary<string, string> { [OwnerKey] = OwnerValue, [ServiceKey] = s.InterfaceName });
        foreach (var p in d.Ports)
        {
            var options = p.Kind == VmPortKind.VhostUser && p.VhostSocketPath is { } path
                ? new Dictionary<string, string> { ["vhost-server-path"] = path }
                : new Dictionary<string, string>();
            yield return new PortShape(p.InterfaceName, p.Kind switch
            {
                VmPortKind.Internal => "internal",
                VmPortKind.VhostUser => "dpdkvhostuserclient",
                _ => "",
            }, options, p.OfPortRequest,
                new Dictionary<string, string> { [OwnerKey] = OwnerValue, [PortIdKey] = p.PortId, ["iface-id"] = p.PortId });
        }
    }

    private static bool Matches(ObservedPort port, PortShape s)
    {
        var i = port.Interface!;
        return i.Type == s.Type
            && MapEquals(i.Options, s.Options)
            && i.OfPortRequest == s.OfPortRequest
            && Contains(i.ExternalIds, s.ExternalIds)
            && Contains(port.ExternalIds, s.ExternalIds);
    }

    private static bool Contains(IReadOnlyDictionary<string, string> have, IReadOnlyDictionary<string, string> want) =>
        want.All(kv => have.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static bool MapEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && Contains(a, b);
}
