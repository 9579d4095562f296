using Infra.Agent.Core.State;
using Infra.Agent.Network.Guests.Responder;
using Infra.Agent.Network.Model;
using Infra.V1;
using NetTunnelPeer = Infra.Agent.Network.Model.TunnelPeer;

namespace Infra.Agent.Core.Apply;

/// <summary>A mapping's output plus the objects that could not be mapped (they are left out, and nacked).</summary>
public sealed record Mapped<T>(T Value, IReadOnlyList<ResourceError> Errors);

/// <summary>Pure: the desired snapshot's ports, tunnels and flow groups -> the network reconciler's host model.</summary>
public static class NetworkMapping
{
    /// <summary>The host network spec for <paramref name="snapshot"/> on the bridge from the agent's config.</summary>
    /// <param name="tapReady">False for a tap that could not be made ready this pass: its port stays off br-int until it is.</param>
    public static Mapped<HostNetworkSpec> ToHostNetwork(DesiredSnapshot snapshot, BridgeSettings bridge, Func<string, bool>? tapReady = null)
    {
        var errors = new List<ResourceError>();
        var peers = new List<NetTunnelPeer>();
        foreach (var t in snapshot.OfKind(DesiredKind.Tunnel).Select(r => r.Tunnel))
        {
            if (!System.Net.IPAddress.TryParse(t.RemoteIp, out _)) { errors.Add(Error(DesiredKind.Tunnel, t.HostId, $"remote_ip '{t.RemoteIp}' is not an IP address")); continue; }
            peers.Add(new NetTunnelPeer(t.HostId, t.RemoteIp, t.Ofport == 0 ? null : (int)t.Ofport));
        }
        var ports = new List<VmPort>();
        foreach (var p in snapshot.OfKind(DesiredKind.Port).Select(r => r.Port))
        {
            if (p.InterfaceName.Length is 0 or > 15) { errors.Add(Error(DesiredKind.Port, p.Id, $"interface_name '{p.InterfaceName}' must be 1-15 characters")); continue; }
            // The tap applier made the tap (persistent, up) earlier in this pass; qemu opens it later.
            if (tapReady is not null && !tapReady(p.InterfaceName)) continue;
            ports.Add(new VmPort(p.Id, p.InterfaceName, VmPortKind.Tap, p.Ofport == 0 ? null : (int)p.Ofport));
        }
        var flows = new List<FlowSpec>();
        foreach (var g in snapshot.OfKind(DesiredKind.FlowGroup).Select(r => r.FlowGroup))
        {
            var id = ResourceKey.CookieId(g.Cookie);
            var bad = g.Flows.Where(f => f.Table > byte.MaxValue || f.Priority > ushort.MaxValue).ToList();
            if (g.Cookie == 0) { errors.Add(Error(DesiredKind.FlowGroup, id, "cookie 0 is reserved for flows the agent does not own")); continue; }
            if (bad.Count > 0) { errors.Add(Error(DesiredKind.FlowGroup, id, $"{bad.Count} flow(s) have a table above 255 or a priority above 65535")); continue; }
            var specs = g.Flows.Select(f => new FlowSpec(g.Cookie, (byte)f.Table, (ushort)f.Priority, f.Match, f.Actions)).ToList();
            var invalid = specs.SelectMany(f => f.Validate()).ToList();
            if (invalid.Count > 0) { errors.Add(Error(DesiredKind.FlowGroup, id, string.Join(" ", invalid))); continue; }
            flows.AddRange(specs);
        }
        var spec = new HostNetworkSpec(bridge.Name, bridge.DatapathType, bridge.DatapathId, peers, ports, flows)
        {
            ServicePorts = bridge.GuestResponder ? [new ServicePort(GuestResponderOptions.DefaultInterface, GuestResponderOptions.OfPort)] : [],
        };
        return new(spec, errors);
    }

    internal static ResourceError Error(DesiredKind kind, string id, string error) =>
        new() { Ref = new ResourceRef { Kind = kind, Id = id }, Error = error };
}
