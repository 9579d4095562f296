using System.Net;

namespace Infra.Flows.Flows;

// Typed actions, rendered in ovs-ofctl syntax. Field writes use set_field with modern field names;
// moves use NXM names, which every OVS release since 1.x parses.

public abstract record FlowAction
{
    public abstract string Render();
    public sealed override string ToString() => Render();
}

public sealed record DropAction : FlowAction
{
    public static readonly DropAction Instance = new();
    public override string Render() => "drop";
}

public sealed record GotoTable(byte Table) : FlowAction
{
    public override string Render() => $"goto_table:{Table}";
}

/// <summary>Look the (rewritten) packet up again in a table, then carry on here.</summary>
public sealed record ResubmitAction(byte Table) : FlowAction
{
    public override string Render() => $"resubmit(,{Table})";
}

public sealed record OutputPort(int OfPort) : FlowAction
{
    public override string Render() => $"output:{OfPort}";
}

/// <summary>Output to the port number held in a register (the destination chosen by forwarding).</summary>
public sealed record OutputReg(int Reg) : FlowAction
{
    public override string Render() => $"output:NXM_NX_REG{Reg}[]";
}

/// <summary>Send back out of the ingress port (OpenFlow forbids plain output to it).</summary>
public sealed record OutputInPort : FlowAction
{
    public static readonly OutputInPort Instance = new();
    public override string Render() => "IN_PORT";
}

public sealed record ConntrackAction(ushort Zone, byte? Table, bool Commit) : FlowAction
{
    public override string Render()
    {
        var parts = new List<string>(3);
        if (Commit) parts.Add("commit");
        parts.Add($"zone={Zone}");
        if (Table is { } t) parts.Add($"table={t}");
        return $"ct({string.Join(",", parts)})";
    }
}

public sealed record ConjunctionAction(uint Id, byte Clause, byte Clauses) : FlowAction
{
    public override string Render() => $"conjunction({Id},{Clause}/{Clauses})";
}

/// <summary>Copy one whole field into another.</summary>
public sealed record MoveAction(string FromNxm, string ToNxm) : FlowAction
{
    public const string EthSrc = "NXM_OF_ETH_SRC", EthDst = "NXM_OF_ETH_DST";
    public const string ArpSha = "NXM_NX_ARP_SHA", ArpTha = "NXM_NX_ARP_THA";
    public const string ArpSpa = "NXM_OF_ARP_SPA", ArpTpa = "NXM_OF_ARP_TPA";
    public const string Ipv6Src = "NXM_NX_IPV6_SRC", Ipv6Dst = "NXM_NX_IPV6_DST";
    public const string NdTll = "NXM_NX_ND_TLL";
    public override string Render() => $"move:{FromNxm}[]->{ToNxm}[]";
}

public enum SetFieldKind { Reg0, Reg1, Reg2, Reg3, TunId, EthSrc, EthDst, ArpOp, ArpSha, ArpSpa, Ipv6Src, Icmpv6Type, Icmpv6Code, NdReserved, NdOptionsType, NdSll, NdTll }

/// <summary>Write a typed value into a field; Value is a uint, Mac or IPAddress matching Kind.</summary>
public sealed record SetField(SetFieldKind Kind, object Value) : FlowAction
{
    public static SetField Reg(int reg, uint value) => new((SetFieldKind)reg, value);

    public override string Render()
    {
        var name = Kind switch
        {
            SetFieldKind.Reg0 => "reg0", SetFieldKind.Reg1 => "reg1", SetFieldKind.Reg2 => "reg2", SetFieldKind.Reg3 => "reg3",
            SetFieldKind.TunId => "tun_id", SetFieldKind.EthSrc => "eth_src", SetFieldKind.EthDst => "eth_dst", SetFieldKind.ArpOp => "arp_op",
            SetFieldKind.ArpSha => "arp_sha", SetFieldKind.ArpSpa => "arp_spa", SetFieldKind.Ipv6Src => "ipv6_src",
            SetFieldKind.Icmpv6Type => "icmpv6_type", SetFieldKind.Icmpv6Code => "icmpv6_code",
            SetFieldKind.NdReserved => "nd_reserved", SetFieldKind.NdOptionsType => "nd_options_type",
            SetFieldKind.NdSll => "nd_sll", SetFieldKind.NdTll => "nd_tll",
            _ => throw new InvalidOperationException($"unknown field {Kind}"),
        };
        var value = Value switch
        {
            uint u when Kind == SetFieldKind.NdReserved => $"0x{u:x}",
            IPAddress ip => ip.ToString(),
            _ => Value.ToString(),
        };
        return $"set_field:{value}->{name}";
    }
}
