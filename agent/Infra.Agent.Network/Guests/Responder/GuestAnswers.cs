using System.Net;
using Infra.Agent.Network.Guests.Dhcp;
using Infra.Agent.Network.Guests.Frames;
using Infra.Agent.Network.Guests.Ndp;

namespace Infra.Agent.Network.Guests.Responder;

/// <summary>
/// The responder's decisions as a pure function: a frame that br-int delivered to infra-dhcp (its
/// destination MAC is the tag of the asking port) and the configuration by ofport, to the frame to
/// send back (destination MAC = the same tag; br-int turns it into the port's MAC and delivers it
/// to that port only). Anything unexpected — an untagged frame, a port we hold nothing for, a
/// client hardware address that is not the port's MAC, a malformed message — gets no answer.
/// <list type="bullet">
/// <item>DISCOVER → OFFER and REQUEST → ACK of the port's one address. A REQUEST for another
/// address (or naming another server) → NAK, so a guest moved between networks restarts at once.
/// INFORM → ACK with options and no address. RELEASE and DECLINE need nothing: the binding is static.</item>
/// <item>RS → RA for the port's IPv6 prefix (SLAAC when the address is the EUI-64 one).</item>
/// </list>
/// </summary>
public static class GuestAnswers
{
    /// <summary>The source of the RAs: the router MAC's link-local address.</summary>
    public static readonly IPAddress RouterLinkLocal = LinkLocal(GuestResponderOptions.RouterMac);
    static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    /// <summary>Where DHCP answers come from when the subnet has no gateway (no guest can hold it).</summary>
    public static readonly IPAddress FallbackServerId = IPAddress.Parse("169.254.169.254");

    public static int? TaggedOfPort(ulong dstMac) =>
        (dstMac & 0xffff_ffff_0000UL) == GuestResponderOptions.TagPrefix ? (int)(dstMac & 0xffff) : null;

    public static ulong Tag(int ofport) => GuestResponderOptions.TagPrefix | (uint)ofport;

    public static byte[]? Answer(ReadOnlySpan<byte> frame, Func<int, GuestPortConfig?> lookup, TimeSpan lease)
    {
        if (frame.Length < Ethernet.HeaderLength) return null;
        if (TaggedOfPort(Ethernet.Destination(frame)) is not { } ofport || lookup(ofport) is not { } port) return null;
        if (Ethernet.Source(frame) != port.Mac) return null;
        if (Udp4.TryRead(frame, out var sp, out var dp, out var payload))
            return sp == 68 && dp == 67 ? AnswerDhcp(payload, port, lease) : null;
        if (Icmp6.TryRead(frame, out _, out var hops, out var icmp))
            return icmp[0] == RouterAdvertisement.SolicitationType && icmp[1] == 0 && hops == 255 ? Advertise(port) : null;
        return null;
    }

    static byte[]? AnswerDhcp(ReadOnlySpan<byte> payload, GuestPortConfig port, TimeSpan lease)
    {
        if (!DhcpMessage.TryDecode(payload, out var req, out _) || req.Op != DhcpMessage.BootRequest) return null;
        if (Ethernet.Mac(req.Chaddr) != port.Mac) return null;
        if (port.V4Address is not { } address) return null;
        var server = port.V4Gateway ?? FallbackServerId;
        DhcpMessageType type;
        switch (req.Type)
        {
            case DhcpMessageType.Discover: type = DhcpMessageType.Offer; break;
            case DhcpMessageType.Request:
                var asked = req.RequestedAddress ?? req.Ciaddr;
                var serverOk = req.ServerId is not { } sid || sid.Equals(server);
                type = serverOk && asked.Equals(address) ? DhcpMessageType.Ack : DhcpMessageType.Nak;
                break;
            case DhcpMessageType.Inform: type = DhcpMessageType.Ack; break;
            default: return null;
        }
        var reply = Reply(req, port, address, server, type, lease);
        // A client without an address (or asking for broadcast) can only hear a broadcast; its
        // MAC is still the one br-int delivers to, so nobody else hears it.
        var dst = type == DhcpMessageType.Nak || req.Ciaddr.Equals(IPAddress.Any) || (req.Flags & DhcpMessage.BroadcastFlag) != 0
            ? IPAddress.Broadcast : req.Ciaddr;
        return Udp4.Build(Tag(port.OfPort), GuestResponderOptions.RouterMac, server, dst, 67, 68, reply.Encode());
    }

    internal static DhcpMessage Reply(DhcpMessage req, GuestPortConfig port, IPAddress address, IPAddress server, DhcpMessageType type, TimeSpan lease)
    {
        var o = new List<DhcpOption> { DhcpOption.Of(DhcpOptionCode.MessageType, (byte)type), DhcpOption.Address(DhcpOptionCode.ServerId, server) };
        if (type == DhcpMessageType.Nak)
        {
            o.Add(new DhcpOption((byte)DhcpOptionCode.Message, "requested address is not this port's address"u8.ToArray()));
            return Message(req, IPAddress.Any, o);
        }
        var seconds = (uint)Math.Clamp(lease.TotalSeconds, 60, uint.MaxValue - 1);
        if (type != DhcpMessageType.Ack || req.Type != DhcpMessageType.Inform)
        {
            o.Add(DhcpOption.UInt32(DhcpOptionCode.LeaseTime, seconds));
            o.Add(DhcpOption.UInt32(DhcpOptionCode.RenewalTime, seconds / 2));
            o.Add(DhcpOption.UInt32(DhcpOptionCode.RebindingTime, seconds / 8 * 7));
        }
        o.Add(DhcpOption.Address(DhcpOptionCode.SubnetMask, Mask(port.V4PrefixLength)));
        if (port.V4Gateway is { } gw) o.Add(DhcpOption.Address(DhcpOptionCode.Router, gw));
        var dns4 = port.DnsServers.Where(d => d.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToArray();
        if (dns4.Length > 0) o.Add(DhcpOption.Address(DhcpOptionCode.DnsServers, dns4));
        if (port.HostName is { Length: > 0 } host) o.Add(new DhcpOption((byte)DhcpOptionCode.HostName, System.Text.Encoding.ASCII.GetBytes(host)));
        if (port.Mtu is >= 576 and <= 65535) o.Add(DhcpOption.UInt16(DhcpOptionCode.InterfaceMtu, (ushort)port.Mtu));
        var routes = port.Routes.Where(r => r.Destination.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        if (routes.Count > 0)
        {
            // A client that reads option 121 ignores option 3: the default route goes in it too.
            if (port.V4Gateway is { } g) routes.Add((new IPNetwork(IPAddress.Any, 0), g));
            o.Add(new DhcpOption((byte)DhcpOptionCode.ClasslessRoutes, ClasslessRoutes.Encode(routes)));
        }
        return Message(req, req.Type == DhcpMessageType.Inform ? IPAddress.Any : address, o);
    }

    static DhcpMessage Message(DhcpMessage req, IPAddress yiaddr, List<DhcpOption> options) =>
        new(DhcpMessage.BootReply, req.Xid, 0, req.Flags, req.Type == DhcpMessageType.Inform ? req.Ciaddr : IPAddress.Any,
            yiaddr, IPAddress.Any, req.Giaddr, req.Chaddr, options);

    /// <summary>The RA for one port, or null when it has no IPv6 prefix. Sent solicited and periodically.</summary>
    public static byte[]? Advertise(GuestPortConfig port)
    {
        if (port.V6Prefix is not { } prefix) return null;
        var dns6 = port.DnsServers.Where(d => d.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).ToList();
        var ra = new RouterAdvertisement(64, (ushort)(port.V6Gateway is null ? 0 : 1800), GuestResponderOptions.RouterMac,
            port.Mtu is >= 1280 ? (uint)port.Mtu : null,
            // Not autonomous when the port's address is not the EUI-64 one: SLAAC would pick an address port security drops.
            [new PrefixInfo(prefix, 86400, 14400, OnLink: true, Autonomous: port.V6Slaac)],
            dns6, 1800);
        return Icmp6.Build(Tag(port.OfPort), GuestResponderOptions.RouterMac, RouterLinkLocal, AllNodes, 255, ra.Encode());
    }

    static IPAddress Mask(int prefix) => new(BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder(prefix == 0 ? 0 : -1 << (32 - prefix))));

    static IPAddress LinkLocal(ulong mac)
    {
        var b = new byte[16];
        b[0] = 0xfe; b[1] = 0x80;
        var m = Ethernet.MacBytes(mac);
        b[8] = (byte)(m[0] ^ 0x02); b[9] = m[1]; b[10] = m[2]; b[11] = 0xff; b[12] = 0xfe; b[13] = m[3]; b[14] = m[4]; b[15] = m[5];
        return new IPAddress(b);
    }
}
