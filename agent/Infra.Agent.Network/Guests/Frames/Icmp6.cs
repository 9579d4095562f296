using System.Buffers.Binary;
using System.Net;

namespace Infra.Agent.Network.Guests.Frames;

/// <summary>Ethernet + IPv6 + ICMPv6 (no extension headers: ND messages never carry any).</summary>
public static class Icmp6
{
    public const byte NextHeaderIcmp6 = 58;

    public static bool TryRead(ReadOnlySpan<byte> frame, out IPAddress src, out byte hopLimit, out ReadOnlySpan<byte> message)
    {
        src = IPAddress.IPv6None;
        hopLimit = 0;
        message = default;
        if (frame.Length < Ethernet.HeaderLength + 40 + 4 || Ethernet.Type(frame) != Ethernet.TypeIpv6) return false;
        var ip = frame[Ethernet.HeaderLength..];
        if (ip[0] >> 4 != 6 || ip[6] != NextHeaderIcmp6) return false;
        var len = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (len < 4 || 40 + len > ip.Length) return false;
        hopLimit = ip[7];
        src = new IPAddress(ip.Slice(8, 16));
        message = ip.Slice(40, len);
        var sum = Checksum.Add(0, ip.Slice(8, 32));
        sum += (uint)len;
        sum += NextHeaderIcmp6;
        return Checksum.Finish(Checksum.Add(sum, message)) == 0;
    }

    public static byte[] Build(ulong dstMac, ulong srcMac, IPAddress src, IPAddress dst, byte hopLimit, ReadOnlySpan<byte> message)
    {
        var f = new byte[Ethernet.HeaderLength + 40 + message.Length];
        Ethernet.WriteHeader(f, dstMac, srcMac, Ethernet.TypeIpv6);
        var ip = f.AsSpan(Ethernet.HeaderLength);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)message.Length);
        ip[6] = NextHeaderIcmp6;
        ip[7] = hopLimit;
        src.TryWriteBytes(ip.Slice(8, 16), out _);
        dst.TryWriteBytes(ip.Slice(24, 16), out _);
        var body = ip[40..];
        message.CopyTo(body);
        body[2] = body[3] = 0;
        var sum = Checksum.Add(0, ip.Slice(8, 32));
        sum += (uint)message.Length;
        sum += NextHeaderIcmp6;
        BinaryPrimitives.WriteUInt16BigEndian(body[2..], Checksum.Finish(Checksum.Add(sum, body)));
        return f;
    }
}
