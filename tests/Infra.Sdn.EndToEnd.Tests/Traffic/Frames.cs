using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Infra.Sdn.EndToEnd.Tests.Traffic;

/// <summary>Hand-built Ethernet frames (as hex for nettool's raw-send / gre-send): what a hostile guest can put on its NIC.</summary>
public static class Frames
{
    public const string Broadcast = "ff:ff:ff:ff:ff:ff";

    public static string Udp(string dstMac, string srcMac, string srcIp, string dstIp, int dstPort, string payload)
    {
        var data = Encoding.ASCII.GetBytes(payload);
        var ip = new byte[20 + 8 + data.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = 17;
        IPAddress.Parse(srcIp).GetAddressBytes().CopyTo(ip, 12);
        IPAddress.Parse(dstIp).GetAddressBytes().CopyTo(ip, 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(22), (ushort)dstPort);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(24), (ushort)(8 + data.Length));
        // UDP checksum 0 = "none", legal over IPv4.
        data.CopyTo(ip, 28);
        return Ethernet(dstMac, srcMac, 0x0800, ip);
    }

    /// <summary>An ARP packet: op 1 = request, 2 = reply ("spa is at sha").</summary>
    public static string Arp(string dstMac, string srcMac, int op, string sha, string spa, string tha, string tpa)
    {
        var p = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800);
        p[4] = 6; p[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), (ushort)op);
        Mac(sha).CopyTo(p, 8);
        IPAddress.Parse(spa).GetAddressBytes().CopyTo(p, 14);
        Mac(tha).CopyTo(p, 18);
        IPAddress.Parse(tpa).GetAddressBytes().CopyTo(p, 24);
        return Ethernet(dstMac, srcMac, 0x0806, p);
    }

    private static string Ethernet(string dst, string src, ushort type, byte[] payload)
    {
        var f = new byte[14 + payload.Length];
        Mac(dst).CopyTo(f, 0);
        Mac(src).CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), type);
        payload.CopyTo(f, 14);
        return Convert.ToHexString(f);
    }

    private static byte[] Mac(string mac) => mac.Split(':').Select(h => Convert.ToByte(h, 16)).ToArray();

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
