namespace Infra.Flows.Model;

// The compiler's whole input: everything the controller knows that shapes one host's flows.
// Records are immutable and JSON-serialisable (golden tests keep them as input.json). Lists are
// treated as sets: the compiler sorts what it reads, so input order never changes the output.

/// <summary>The cluster's state as seen from one host.</summary>
public sealed record HostState(
    HostInfo Host,
    IReadOnlyList<TenantInfo> Tenants,
    IReadOnlyList<LocalPort> LocalPorts,
    IReadOnlyList<RemotePort> RemotePorts,
    IReadOnlyList<Peer> Peers,
    IReadOnlyList<Policy> Policies)
{
    /// <summary>The host's DHCP/RA responder, when it runs: local ports' DHCP requests and router
    /// solicitations go there, and its answers come back to the port they name.</summary>
    public GuestServices? GuestServices { get; init; }
}

/// <summary>The agent's responder port on br-int (the internal port infra-dhcp).</summary>
public sealed record GuestServices(int OfPort);

/// <summary>The host the flows are for; TunnelIp is informational (tunnels are OVSDB's job).</summary>
public sealed record HostInfo(string Id, string TunnelIp);

/// <summary>A tenant with at least one port on this host.</summary>
public sealed record TenantInfo(string Id, uint TunnelKey, ushort CtZone);

/// <summary>A VM NIC attached to br-int on this host.</summary>
public sealed record LocalPort(
    string Id,
    string Tenant,
    int OfPort,
    string Mac,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Policies);

/// <summary>A port of a local tenant that lives on another host.</summary>
public sealed record RemotePort(
    string Id,
    string Tenant,
    string Mac,
    IReadOnlyList<string> Addresses,
    string HostId,
    IReadOnlyList<string> Policies);

/// <summary>Another host reachable through the GRE port at TunnelOfPort on br-int.</summary>
public sealed record Peer(string HostId, int TunnelOfPort);
