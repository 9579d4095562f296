using System.Net;

namespace Infra.Flows.Flows;

// Typed match fields. Each renders itself in ovs-ofctl syntax; a flow's match is an ordered list
// of them, and the order the stages build them in is the order they are printed.

public abstract record MatchField
{
    public abstract string Render();
    public sealed override string ToString() => Render();
}

/// <summary>Protocol shorthands; each implies its dl_type / nw_proto prerequisites.</summary>
public enum ProtoKind { Ip, Ipv6, Arp, Tcp, Tcp6, Udp, Udp6, Icmp, Icmp6 }

public sealed record ProtoMatch(ProtoKind Proto) : MatchField
{
    // Enum.ToString is slow enough to show in compile time; the names are fixed.
    private static readonly string[] Names = ["ip", "ipv6", "arp", "tcp", "tcp6", "udp", "udp6", "icmp", "icmp6"];
    public override string Render() => Names[(int)Proto];
}

public sealed record InPortMatch(int OfPort) : MatchField
{
    public override string Render() => $"in_port={OfPort}";
}

public sealed record RegMatch(int Reg, uint Value) : MatchField
{
    public override string Render() => $"reg{Reg}={Value}";
}

/// <summary>Any 802.1Q tag present (the CFI/present bit of vlan_tci).</summary>
public sealed record VlanPresentMatch : MatchField
{
    public override string Render() => "vlan_tci=0x1000/0x1000";
}

public sealed record TunIdMatch(uint Key) : MatchField
{
    public override string Render() => $"tun_id={Key}";
}

public sealed record EthSrcMatch(Mac Mac) : MatchField
{
    public override string Render() => $"dl_src={Mac}";
}

public sealed record EthDstMatch(Mac Mac, Mac? Mask = null) : MatchField
{
    public override string Render() => Mask is { } m ? $"dl_dst={Mac}/{m}" : $"dl_dst={Mac}";
}

/// <summary>IPv4 or IPv6 source/destination, exact or a prefix; the family picks nw_* or ipv6_*.</summary>
public sealed record IpMatch(bool Source, IPNetwork Net) : MatchField
{
    public override string Render()
    {
        var v6 = Net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var name = (v6 ? "ipv6_" : "nw_") + (Source ? "src" : "dst");
        var full = v6 ? 128 : 32;
        return Net.PrefixLength == full ? $"{name}={Net.BaseAddress}" : $"{name}={Net.BaseAddress}/{Net.PrefixLength}";
    }
}

public sealed record ArpOpMatch(ushort Op) : MatchField
{
    public override string Render() => $"arp_op={Op}";
}

public sealed record ArpSpaMatch(IPAddress Address) : MatchField
{
    public override string Render() => $"arp_spa={Address}";
}

public sealed record ArpTpaMatch(IPAddress Address) : MatchField
{
    public override string Render() => $"arp_tpa={Address}";
}

public sealed record ArpShaMatch(Mac Mac) : MatchField
{
    public override string Render() => $"arp_sha={Mac}";
}

/// <summary>TCP/UDP destination port, exact (mask 0xffff) or a power-of-two aligned block.</summary>
public sealed record TpDstMatch(ushort Value, ushort Mask) : MatchField
{
    public override string Render() => Mask == 0xffff ? $"tp_dst={Value}" : $"tp_dst=0x{Value:x}/0x{Mask:x}";
}

/// <summary>TCP/UDP source port, exact.</summary>
public sealed record TpSrcMatch(ushort Value) : MatchField
{
    public override string Render() => $"tp_src={Value}";
}

public sealed record Icmpv6TypeMatch(byte Type) : MatchField
{
    public override string Render() => $"icmpv6_type={Type}";
}

public sealed record NdTargetMatch(IPAddress Address) : MatchField
{
    public override string Render() => $"nd_target={Address}";
}

public sealed record NdSllMatch(Mac Mac) : MatchField
{
    public override string Render() => $"nd_sll={Mac}";
}

public sealed record NdTllMatch(Mac Mac) : MatchField
{
    public override string Render() => $"nd_tll={Mac}";
}

[Flags]
public enum CtFlags { None = 0, New = 1, Est = 2, Rel = 4, Rpl = 8, Inv = 16, Trk = 32 }

/// <summary>ct_state with bits that must be set (+) and bits that must be clear (-).</summary>
public sealed record CtStateMatch(CtFlags Set, CtFlags Clear) : MatchField
{
    private static readonly (CtFlags Flag, string Name)[] Order =
        [(CtFlags.Trk, "trk"), (CtFlags.New, "new"), (CtFlags.Est, "est"), (CtFlags.Rel, "rel"), (CtFlags.Rpl, "rpl"), (CtFlags.Inv, "inv")];

    public override string Render()
    {
        var s = "ct_state=";
        foreach (var (f, n) in Order)
        {
            if (Set.HasFlag(f)) s += "+" + n;
            else if (Clear.HasFlag(f)) s += "-" + n;
        }
        return s;
    }
}

public sealed record ConjIdMatch(uint Id) : MatchField
{
    public override string Render() => $"conj_id={Id}";
}
