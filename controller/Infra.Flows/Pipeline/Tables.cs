namespace Infra.Flows.Pipeline;

/// <summary>br-int table numbers; README.md explains what each one admits.</summary>
public static class Tables
{
    public const byte Classify = 0;
    public const byte PortSecurity = 1;
    public const byte Responder = 2;
    public const byte EgressConntrack = 3;
    public const byte EgressPolicy = 4;
    public const byte Forwarding = 5;
    public const byte IngressConntrack = 6;
    public const byte IngressPolicy = 7;
    public const byte NdReply = 8;
    /// <summary>Answers of the host's DHCP/RA responder, delivered only to the port they name.</summary>
    public const byte GuestServices = 9;

    public static readonly byte[] All =
        [Classify, PortSecurity, Responder, EgressConntrack, EgressPolicy, Forwarding, IngressConntrack, IngressPolicy, NdReply];
}

/// <summary>Registers that carry a packet's context between tables.</summary>
public static class Regs
{
    /// <summary>The packet's tenant, as its tunnel key.</summary>
    public const int Tenant = 0;
    /// <summary>The ofport of the VM port it came from (0 when it came from a tunnel).</summary>
    public const int SourcePort = 1;
    /// <summary>The ofport of the local VM port it is to be delivered to.</summary>
    public const int DestPort = 2;
    /// <summary>Where it came from: <see cref="FromVm"/> or <see cref="FromTunnel"/>.</summary>
    public const int Origin = 3;

    public const uint FromVm = 1;
    public const uint FromTunnel = 2;
}

/// <summary>Flow priorities, named so that the tables read top-down in README.md.</summary>
public static class Priorities
{
    public const ushort Miss = 0;
    public const ushort Normal = 100;
    public const ushort Guard = 200;
    /// <summary>Beats the guards: invalid-conntrack drops, and the exact ND admits above the ND guard.</summary>
    public const ushort Override = 300;
}
