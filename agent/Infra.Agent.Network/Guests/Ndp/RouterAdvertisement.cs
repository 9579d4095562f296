using System.Buffers.Binary;
using System.Net;

namespace Infra.Agent.Network.Guests.Ndp;

/// <summary>A prefix announced for SLAAC: on-link and autonomous (RFC 4861 §4.6.2).</summary>
public sealed record PrefixInfo(IPNetwork Prefix, uint ValidSeconds, uint PreferredSeconds, bool OnLink = true, bool Autonomous = true);

/// <summary>
/// A router advertisement (RFC 4861 §4.2) as the ICMPv6 message body: the router lifetime is 0
/// unless this router is the NIC's default (only the first NIC per family gets one), then the
/// source link-layer address, the MTU, prefix information and RDNSS (RFC 8106) options.
/// Pure: <see cref="Encode"/> leaves the checksum to the IPv6 framing, <see cref="TryDecode"/>
/// checks lengths and option sizes and says what is wrong.
/// </summary>
public sealed record RouterAdvertisement(
    byte CurHopLimit,
    ushort RouterLifetimeSeconds,
    ulong SourceMac,
    uint? Mtu,
    IReadOnlyList<PrefixInfo> Prefixes,
    IReadOnlyList<IPAddress> DnsServers,
    uint DnsLifetimeSeconds)
{
    public const byte Type = 134;
    public const byte SolicitationType = 133;

    public byte[] Encode()
    {
        var b = new List<byte>(128) { Type, 0, 0, 0, CurHopLimit, 0 };
        AddU16(b, RouterLifetimeSeconds);
        AddU32(b, 0); // reachable time: unspecified
        AddU32(b, 0); // retrans timer: unspecified
        b.Add(1); b.Add(1); // source link-layer address, 8 bytes
        b.AddRange(Frames.Ethernet.MacBytes(SourceMac));
        if (Mtu is { } mtu) { b.Add(5); b.Add(1); AddU16(b, 0); AddU32(b, mtu); }
        foreach (var p in Prefixes)
        {
            b.Add(3); b.Add(4);
            b.Add((byte)p.Prefix.PrefixLength);
            b.Add((byte)((p.OnLink ? 0x80 : 0) | (p.Autonomous ? 0x40 : 0)));
            AddU32(b, p.ValidSeconds);
            AddU32(b, p.PreferredSeconds);
            AddU32(b, 0);
            b.AddRange(p.Prefix.BaseAddress.GetAddressBytes());
        }
        if (DnsServers.Count > 0)
        {
            b.Add(25); b.Add((byte)(1 + 2 * DnsServers.Count));
            AddU16(b, 0);
            AddU32(b, DnsLifetimeSeconds);
            foreach (var d in DnsServers) b.AddRange(d.GetAddressBytes());
        }
        return [.. b];
    }

    public static bool TryDecode(ReadOnlySpan<byte> m, out RouterAdvertisement ra, out string error)
    {
        ra = null!;
        if (m.Length < 16 || m[0] != Type || m[1] != 0) { error = "not a router advertisement (type 134, code 0, 16 bytes or more)"; return false; }
        var lifetime = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        ulong mac = 0;
        uint? mtu = null;
        var prefixes = new List<PrefixInfo>();
        var dns = new List<IPAddress>();
        uint dnsLifetime = 0;
        var i = 16;
        while (i < m.Length)
        {
            if (i + 2 > m.Length) { error = "option header truncated"; return false; }
            var type = m[i];
            var len = m[i + 1] * 8;
            if (len == 0 || i + len > m.Length) { error = $"option {type} has length {len} past the message end"; return false; }
            var o = m.Slice(i, len);
            switch (type)
            {
                case 1 when len >= 8: mac = Frames.Ethernet.Mac(o[2..]); break;
                case 5 when len == 8: mtu = BinaryPrimitives.ReadUInt32BigEndian(o[4..]); break;
                case 3 when len == 32:
                    if (o[2] > 128) { error = $"prefix length {o[2]} is over 128"; return false; }
                    prefixes.Add(new PrefixInfo(Frames.IpNet.Masked(o.Slice(16, 16), o[2]),
                        BinaryPrimitives.ReadUInt32BigEndian(o[4..]), BinaryPrimitives.ReadUInt32BigEndian(o[8..]),
                        (o[3] & 0x80) != 0, (o[3] & 0x40) != 0));
                    break;
                case 25 when len >= 24 && (len - 8) % 16 == 0:
                    dnsLifetime = BinaryPrimitives.ReadUInt32BigEndian(o[4..]);
                    for (var j = 8; j < len; j += 16) dns.Add(new IPAddress(o.Slice(j, 16)));
                    break;
            }
            i += len;
        }
        ra = new RouterAdvertisement(m[4], lifetime, mac, mtu, prefixes, dns, dnsLifetime);
        error = "";
        return true;
    }

    static void AddU16(List<byte> b, ushort v) { b.Add((byte)(v >> 8)); b.Add((byte)v); }
    static void AddU32(List<byte> b, uint v) { AddU16(b, (ushort)(v >> 16)); AddU16(b, (ushort)v); }
}
