using System.Net;

namespace Infra.Controller.Core.Ipam;

/// <summary>Addresses as offsets from the subnet base, in UInt128 so IPv4 and IPv6 share one code path.</summary>
internal static class AddressMath
{
    public static UInt128 ToNumber(IPAddress a)
    {
        Span<byte> b = stackalloc byte[16];
        a.TryWriteBytes(b, out var n);
        UInt128 v = 0;
        for (var i = 0; i < n; i++) v = (v << 8) | b[i];
        return v;
    }

    public static IPAddress FromNumber(UInt128 v, bool v4)
    {
        var len = v4 ? 4 : 16;
        var b = new byte[len];
        for (var i = len - 1; i >= 0; i--) { b[i] = (byte)(v & 0xff); v >>= 8; }
        return new IPAddress(b);
    }

    public static UInt128 Offset(IPNetwork net, IPAddress a) => ToNumber(a) - ToNumber(net.BaseAddress);

    /// <summary>Number of addresses in the subnet (saturates at UInt128.MaxValue for a /0 v6).</summary>
    public static UInt128 Size(SubnetSpec s) => s.HostBits >= 128 ? UInt128.MaxValue : UInt128.One << s.HostBits;

    public static IPAddress At(SubnetSpec s, UInt128 offset) => FromNumber(ToNumber(s.Cidr.BaseAddress) + offset, s.IsV4);
}
