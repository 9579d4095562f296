using System.Net;
using System.Text.RegularExpressions;

namespace Infra.Agent.Network.Model;

/// <summary>
/// What this host's switch should look like: one integration bridge, a GRE port per peer host,
/// one port per VM NIC, and the flow set. The datapath id is pinned because OVS otherwise derives
/// it from the lowest port MAC, and a change drops every OpenFlow connection to the bridge.
/// </summary>
public sealed record HostNetworkSpec(
    string BridgeName,
    string DatapathType,
    ulong DatapathId,
    IReadOnlyList<TunnelPeer> Peers,
    IReadOnlyList<VmPort> Ports,
    IReadOnlyList<FlowSpec> Flows)
{
    /// <summary>The agent's own internal ports on the bridge (the DHCP/RA responder's infra-dhcp).</summary>
    public IReadOnlyList<ServicePort> ServicePorts { get; init; } = [];

    /// <summary>
    /// Remove nothing: ports, tunnels and flow groups the agent owns that this spec lacks stay as they
    /// are (what the spec has is still added and changed). Set while a VM runs on the host that the
    /// desired state does not name: a partial or empty state (a controller that lost its database)
    /// must not cut a running guest off the network.
    /// </summary>
    public bool KeepUndesired { get; init; }

    /// <summary>Every problem at once, each saying what to change.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!PortNames.IsValidInterfaceName(BridgeName)) errors.Add($"Bridge name \"{BridgeName}\" must be 1-15 characters of [A-Za-z0-9_.-].");
        if (DatapathType is not ("system" or "netdev")) errors.Add($"Datapath type \"{DatapathType}\" must be \"system\" or \"netdev\".");
        if (DatapathId == 0 || DatapathId > 0xffff_ffff_ffff_ffff) errors.Add("DatapathId must be non-zero.");
        foreach (var dup in Peers.GroupBy(p => p.HostId).Where(g => g.Count() > 1)) errors.Add($"Tunnel peer \"{dup.Key}\" is listed twice.");
        foreach (var p in Peers)
            if (!IPAddress.TryParse(p.RemoteIp, out _)) errors.Add($"Tunnel peer \"{p.HostId}\": remote IP \"{p.RemoteIp}\" is not an IP address.");
        foreach (var dup in Ports.Select(p => p.InterfaceName).Concat(ServicePorts.Select(s => s.InterfaceName)).GroupBy(n => n).Where(g => g.Count() > 1))
            errors.Add($"Interface name \"{dup.Key}\" is used by more than one port.");
        foreach (var dup in Ports.GroupBy(p => p.PortId).Where(g => g.Count() > 1)) errors.Add($"Port id \"{dup.Key}\" is listed twice.");
        foreach (var p in Ports)
            if (!PortNames.IsValidInterfaceName(p.InterfaceName)) errors.Add($"Port \"{p.PortId}\": interface name \"{p.InterfaceName}\" must be 1-15 characters of [A-Za-z0-9_.-].");
        var ofports = Peers.Select(p => (Owner: $"tunnel {p.HostId}", OfPort: (int?)p.EffectiveOfPort))
            .Concat(Ports.Where(p => p.OfPortRequest is not null).Select(p => (Owner: $"port {p.PortId}", OfPort: p.OfPortRequest)))
            .Concat(ServicePorts.Select(s => (Owner: $"service port {s.InterfaceName}", OfPort: (int?)s.OfPortRequest)));
        foreach (var dup in ofports.GroupBy(x => x.OfPort).Where(g => g.Count() > 1))
            errors.Add($"OpenFlow port {dup.Key} is requested by {string.Join(" and ", dup.Select(d => d.Owner))}; give one of them an explicit OfPortRequest.");
        foreach (var f in Flows) errors.AddRange(f.Validate());
        return errors;
    }
}

/// <summary>A peer host reached over GRE. The port name and ofport are derived from the host id, so they are the same on every run.</summary>
public sealed record TunnelPeer(string HostId, string RemoteIp, int? OfPortRequest = null)
{
    public string PortName => PortNames.ForTunnel(HostId);
    public int EffectiveOfPort => OfPortRequest ?? PortNames.TunnelOfPort(HostId);
}

/// <summary>An internal port the agent itself reads and writes (OVS creates the interface in the agent's namespace).</summary>
public sealed record ServicePort(string InterfaceName, int OfPortRequest);

public enum VmPortKind { Internal, Tap, VhostUser }

/// <summary>A VM NIC on the bridge. Internal ports are created by OVS (tests, "VM" namespaces); tap/vhost by qemu.</summary>
public sealed record VmPort(string PortId, string InterfaceName, VmPortKind Kind, int? OfPortRequest = null, string? VhostSocketPath = null);

internal static partial class PortNames
{
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceName();

    public static bool IsValidInterfaceName(string name) => InterfaceName().IsMatch(name);

    /// <summary>"gre-" + 8 hex digits of a stable hash: fits IFNAMSIZ whatever the host id.</summary>
    public static string ForTunnel(string hostId) => $"gre-{Fnv1a(hostId):x8}";

    /// <summary>Tunnel ofports live in 10000-59999, clear of VM ports which the controller numbers from 1.</summary>
    public static int TunnelOfPort(string hostId) => 10000 + (int)(Fnv1a(hostId) % 50000);

    private static uint Fnv1a(string s)
    {
        uint h = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(s)) { h ^= b; h *= 16777619; }
        return h;
    }
}
