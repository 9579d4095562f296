using System.Text;

namespace Infra.Flows.Flows;

/// <summary>What a flow belongs to: the agent replaces or adopts flows one owner at a time.</summary>
public enum OwnerKind : byte
{
    /// <summary>Table-miss drops and other flows that exist on every host.</summary>
    Base = 0x01,
    /// <summary>Per-tenant conntrack dispatch; id = tunnel key.</summary>
    Tenant = 0x02,
    /// <summary>A port, local or remote; id = 56-bit FNV-1a of the port id.</summary>
    Port = 0x03,
    /// <summary>A peer host's GRE port; id = 56-bit FNV-1a of the peer's host id.</summary>
    Tunnel = 0x04,
    /// <summary>A tenant's whole policy set (conjunctions are shared by its policies); id = tunnel key.</summary>
    Policy = 0x05,
}

/// <summary>
/// Cookie layout: bits 63..56 = <see cref="OwnerKind"/>, bits 55..0 = the owner's stable id.
/// The agent deletes an owner's flows with <c>cookie=C/-1</c> and a kind's with
/// <c>cookie=0x0K00000000000000/0xff00000000000000</c>. Hashing keeps the cookie a pure function of
/// the owner's id, so an agent that restarts recomputes the same cookies and adopts what it finds.
/// </summary>
public static class Cookies
{
    public const ulong IdMask = 0x00FF_FFFF_FFFF_FFFFUL;
    public const ulong KindMask = ~IdMask;

    public static ulong Make(OwnerKind kind, ulong id) => ((ulong)kind << 56) | (id & IdMask);

    public static ulong Base => Make(OwnerKind.Base, 0);
    public static ulong Tenant(uint tunnelKey) => Make(OwnerKind.Tenant, tunnelKey);
    public static ulong Port(string portId) => Make(OwnerKind.Port, Fnv1a(portId));
    public static ulong Tunnel(string peerHostId) => Make(OwnerKind.Tunnel, Fnv1a(peerHostId));
    public static ulong Policy(uint tenantKey) => Make(OwnerKind.Policy, tenantKey);

    public static OwnerKind KindOf(ulong cookie) => (OwnerKind)(cookie >> 56);
    public static ulong IdOf(ulong cookie) => cookie & IdMask;

    /// <summary>64-bit FNV-1a over UTF-8; stable across processes and .NET versions, unlike string.GetHashCode.</summary>
    public static ulong Fnv1a(string text)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 0x100000001b3UL;
        }
        return h;
    }
}
