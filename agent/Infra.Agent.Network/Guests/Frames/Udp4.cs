using System.Buffers.Binary;
using System.Net;

namespace Infra.Agent.Network.Guests.Frames;

/// <summary>Ethernet + IPv4 + UDP, read and written in one place (the DHCP path needs nothing else of IPv4).</summary>
public static class Udp4
{
    public const byte ProtocolUdp = 17;

    /// <summary>The UDP payload and ports of an IPv4/UDP frame; false for anything else or anything truncated.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out ushort srcPort, out ushort dstPort, out ReadOnlySpan<byte> payload)
    {
        srcPort = dstPort = 0;
        payload = default;
        if (frame.Length < Ethernet.HeaderLength + 20 + 8 || Ethernet.Type(frame) != Ethernet.TypeIpv4) return false;
        var ip = frame[Ethernet.HeaderLength..];
        var ihl = (ip[0] & 0x0f) * 4;
        if (ip[0] >> 4 != 4 || ihl < 20 || ip.Length < ihl + 8 || ip[9] != ProtocolUdp) return false;
        // Fragments never carry a whole DHCP message worth answering.
        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3fff) != 0) return false;
        var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (total < ihl + 8 || total > ip.Length) return false;
        var udp = ip[ihl..total];
        var udpLen = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLen < 8 || udpLen > udp.Length) return false;
        srcPort = BinaryPrimitives.ReadUInt16BigEndian(udp);
        dstPort = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);
        payload = udp[8..udpLen];
        return true;
    }

    public static byte[] Build(ulong dstMac, ulong srcMac, IPAddress src, IPAddress dst, ushort srcPort, ushort dstPort, ReadOnlySpan<byte> payload)
    {
        var f = new byte[Ethernet.HeaderLength + 20 + 8 + payload.Length];
        Ethernet.WriteHeader(f, dstMac, srcMac, Ethernet.TypeIpv4);
        var ip = f.AsSpan(Ethernet.HeaderLength);
        ip[0] = 0x45;
        ip[1] = 0x10; // low delay, as ISC dhcpd and dnsmasq mark DHCP
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payload.Length));
        ip[8] = 64;
        ip[9] = ProtocolUdp;
        src.TryWriteBytes(ip[12..16], out _);
        dst.TryWriteBytes(ip[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Of(ip[..20]));
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], dstPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        var sum = Checksum.Add(0, ip[12..20]);
        sum += ProtocolUdp;
        sum += (uint)(8 + payload.Length);
        var c = Checksum.Finish(Checksum.Add(sum, udp));
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], c == 0 ? (ushort)0xffff : c);
        return f;
    }
}
