using Infra.Ovsdb.Monitor;

namespace Infra.Agent.Network.Switch;

/// <summary>The switch as the OVSDB replica shows it, reduced to what the planner compares.</summary>
public sealed record ObservedSwitch(ObservedBridge? Bridge, IReadOnlyList<ObservedPort> Ports)
{
    public static readonly ObservedSwitch Empty = new(null, []);

    /// <summary>Reads the bridge named <paramref name="bridgeName"/> and its ports from a replica of Bridge, Port and Interface.</summary>
    public static ObservedSwitch From(OvsdbReplica replica, string bridgeName)
    {
        var bridge = replica.Rows("Bridge").FirstOrDefault(b => b.GetString("name") == bridgeName);
        if (bridge is null) return Empty;
        var ports = new List<ObservedPort>();
        foreach (var pu in bridge.GetUuids("ports"))
        {
            if (replica.Row("Port", pu) is not { } port) continue;
            var iface = port.GetUuids("interfaces").Select(i => replica.Row("Interface", i)).FirstOrDefault(i => i is not null);
            ports.Add(new ObservedPort(pu, port.GetString("name") ?? "", port.GetMap("external_ids"),
                iface is null ? null : new ObservedInterface(iface.Uuid, iface.GetString("name") ?? "", iface.GetString("type") ?? "",
                    iface.GetMap("options"), (int?)iface.GetInteger("ofport_request"), iface.GetMap("external_ids"),
                    (int?)iface.GetInteger("ofport"), iface.GetString("link_state"), iface.GetString("error"))));
        }
        return new(new ObservedBridge(bridge.Uuid, bridgeName, bridge.GetString("datapath_type") ?? "", bridge.GetString("fail_mode"),
            bridge.GetMap("other_config")), ports);
    }
}

public sealed record ObservedBridge(Guid Uuid, string Name, string DatapathType, string? FailMode, IReadOnlyDictionary<string, string> OtherConfig);

public sealed record ObservedPort(Guid Uuid, string Name, IReadOnlyDictionary<string, string> ExternalIds, ObservedInterface? Interface);

public sealed record ObservedInterface(Guid Uuid, string Name, string Type, IReadOnlyDictionary<string, string> Options, int? OfPortRequest,
    IReadOnlyDictionary<string, string> ExternalIds, int? OfPort, string? LinkState, string? Error);
