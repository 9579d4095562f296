using System.Buffers.Binary;

namespace Infra.Agent.Network.Guests.Frames;

/// <summary>Ethernet II header fields; frames here are never VLAN-tagged (br-int drops tagged frames).</summary>
public static class Ethernet
{
    public const int HeaderLength = 14;
    public const ushort TypeIpv4 = 0x0800, TypeIpv6 = 0x86dd;

    public static ulong Destination(ReadOnlySpan<byte> f) => Mac(f[..6]);
    public static ulong Source(ReadOnlySpan<byte> f) => Mac(f[6..12]);
    public static ushort Type(ReadOnlySpan<byte> f) => BinaryPrimitives.ReadUInt16BigEndian(f[12..]);

    public static ulong Mac(ReadOnlySpan<byte> b)
    {
        ulong v = 0;
        for (var i = 0; i < 6; i++) v = (v << 8) | b[i];
        return v;
    }

    public static void WriteMac(Span<byte> b, ulong mac)
    {
        for (var i = 0; i < 6; i++) b[i] = (byte)(mac >> (40 - 8 * i));
    }

    public static byte[] MacBytes(ulong mac)
    {
        var b = new byte[6];
        WriteMac(b, mac);
        return b;
    }

    public static void WriteHeader(Span<byte> f, ulong dst, ulong src, ushort type)
    {
        WriteMac(f, dst);
        WriteMac(f[6..], src);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], type);
    }

    public static string Format(ulong mac) => string.Join(':', MacBytes(mac).Select(x => x.ToString("x2")));
}
