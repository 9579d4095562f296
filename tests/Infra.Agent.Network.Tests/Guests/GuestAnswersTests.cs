using System.Net;
using Infra.Agent.Network.Guests.Dhcp;
using Infra.Agent.Network.Guests.Frames;
using Infra.Agent.Network.Guests.Ndp;
using Infra.Agent.Network.Guests.Responder;

namespace Infra.Agent.Network.Tests.Guests;

/// <summary>The responder's decisions (pure): each port hears its own configuration and nothing else does.</summary>
public sealed class GuestAnswersTests
{
    const ulong Mac = 0x02_00_00_00_00_01;
    static readonly TimeSpan Lease = TimeSpan.FromHours(1);
    static readonly GuestPortConfig Port = new(1000, Mac, IPAddress.Parse("10.0.0.5"), 24, IPAddress.Parse("10.0.0.1"),
        IPNetwork.Parse("fd00::/64"), IPAddress.Parse("fd00::1"), true, [IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::2")], 1400,
        [(IPNetwork.Parse("192.168.0.0/16"), IPAddress.Parse("10.0.0.254"))], "web-1");

    static GuestPortConfig? Lookup(int ofport) => ofport == 1000 ? Port : null;

    static byte[] ClientFrame(byte type, ulong srcMac = Mac, ulong? dst = null, byte[]? chaddr = null, params byte[] options)
    {
        var m = new DhcpMessage(DhcpMessage.BootRequest, 7, 0, 0, IPAddress.Any, IPAddress.Any, IPAddress.Any, IPAddress.Any,
            chaddr ?? Ethernet.MacBytes(srcMac), [DhcpOption.Of(DhcpOptionCode.MessageType, type), .. Options(options)]);
        return Udp4.Build(dst ?? GuestAnswers.Tag(1000), srcMac, IPAddress.Any, IPAddress.Broadcast, 68, 67, m.Encode());
    }

    static IEnumerable<DhcpOption> Options(byte[] raw)
    {
        for (var i = 0; i + 1 < raw.Length; i += 2 + raw[i + 1]) yield return new DhcpOption(raw[i], raw[(i + 2)..(i + 2 + raw[i + 1])]);
    }

    static DhcpMessage Reply(byte[] frame)
    {
        Assert.Equal(GuestAnswers.Tag(1000), Ethernet.Destination(frame));
        Assert.True(Udp4.TryRead(frame, out var sp, out var dp, out var payload));
        Assert.Equal((67, 68), (sp, dp));
        Assert.True(DhcpMessage.TryDecode(payload, out var m, out var error), error);
        return m;
    }

    [Fact]
    public void Discover_FromThePortsMac_IsOfferedItsAddressWithEveryOption()
    {
        var offer = Reply(GuestAnswers.Answer(ClientFrame(1), Lookup, Lease)!);

        Assert.Equal((DhcpMessageType.Offer, "10.0.0.5", 7u), (offer.Type!.Value, offer.Yiaddr.ToString(), offer.Xid));
        Assert.Equal([255, 255, 255, 0], offer.Option(DhcpOptionCode.SubnetMask));
        Assert.Equal([10, 0, 0, 1], offer.Option(DhcpOptionCode.Router));
        Assert.Equal([10, 0, 0, 1], offer.Option(DhcpOptionCode.ServerId));
        Assert.Equal([10, 0, 0, 2], offer.Option(DhcpOptionCode.DnsServers)); // the IPv6 server goes in the RA
        Assert.Equal([0, 0, 0x0e, 0x10], offer.Option(DhcpOptionCode.LeaseTime));
        Assert.Equal([0x05, 0x78], offer.Option(DhcpOptionCode.InterfaceMtu));
        Assert.Equal("web-1"u8.ToArray(), offer.Option(DhcpOptionCode.HostName));
        Assert.True(ClasslessRoutes.TryDecode(offer.Option(DhcpOptionCode.ClasslessRoutes), out var routes));
        Assert.Equal(["192.168.0.0/16 10.0.0.254", "0.0.0.0/0 10.0.0.1"], routes.Select(r => $"{r.Destination} {r.Router}"));
    }

    [Fact]
    public void Request_ForItsOwnAddress_IsAcked_AndForAnotherIsNaked()
    {
        var ack = Reply(GuestAnswers.Answer(ClientFrame(3, options: [50, 4, 10, 0, 0, 5]), Lookup, Lease)!);
        var nak = Reply(GuestAnswers.Answer(ClientFrame(3, options: [50, 4, 10, 0, 0, 9]), Lookup, Lease)!);
        var otherServer = Reply(GuestAnswers.Answer(ClientFrame(3, options: [50, 4, 10, 0, 0, 5, 54, 4, 10, 9, 9, 9]), Lookup, Lease)!);

        Assert.Equal((DhcpMessageType.Ack, "10.0.0.5"), (ack.Type!.Value, ack.Yiaddr.ToString()));
        Assert.Equal((DhcpMessageType.Nak, "0.0.0.0"), (nak.Type!.Value, nak.Yiaddr.ToString()));
        Assert.Equal(DhcpMessageType.Nak, otherServer.Type!.Value);
    }

    public static TheoryData<string, byte[]> Unanswered => new()
    {
        { "frame from another MAC than the port's", ClientFrame(1, srcMac: 0x02_de_ad_be_ef_01) },
        { "client hardware address of another MAC", ClientFrame(1, chaddr: Ethernet.MacBytes(0x02_de_ad_be_ef_01)) },
        { "untagged (broadcast) destination", ClientFrame(1, dst: 0xff_ff_ff_ff_ff_ff) },
        { "tag of a port we hold nothing for", ClientFrame(1, dst: GuestAnswers.Tag(1001)) },
        { "release", ClientFrame(7) },
        { "truncated", ClientFrame(1)[..60] },
    };

    [Theory]
    [MemberData(nameof(Unanswered))]
    public void Frame_ThatIsNotThePortsOwnRequest_GetsNoAnswer(string _, byte[] frame) =>
        Assert.Null(GuestAnswers.Answer(frame, Lookup, Lease));

    [Fact]
    public void RouterSolicitation_GetsAnRaWithThePrefixForSlaac_TheMtuAndRdnss()
    {
        byte[] rs = [133, 0, 0, 0, 0, 0, 0, 0];
        var frame = Icmp6.Build(GuestAnswers.Tag(1000), Mac, IPAddress.Parse("fe80::1"), IPAddress.Parse("ff02::2"), 255, rs);

        var answer = GuestAnswers.Answer(frame, Lookup, Lease)!;

        Assert.Equal(GuestAnswers.Tag(1000), Ethernet.Destination(answer));
        Assert.True(Icmp6.TryRead(answer, out var src, out var hops, out var body));
        Assert.Equal((GuestAnswers.RouterLinkLocal, (byte)255), (src, hops));
        Assert.True(RouterAdvertisement.TryDecode(body, out var ra, out var error), error);
        var prefix = Assert.Single(ra.Prefixes);
        Assert.Equal(("fd00::/64", true, true), (prefix.Prefix.ToString(), prefix.OnLink, prefix.Autonomous));
        Assert.Equal((1400u, "fd00::2"), (ra.Mtu!.Value, Assert.Single(ra.DnsServers).ToString()));
        Assert.True(ra.RouterLifetimeSeconds > 0);
    }

    [Fact]
    public void Advertise_PortWhoseAddressIsNotSlaacs_AnnouncesThePrefixNotAutonomous()
    {
        var ra = GuestAnswers.Advertise(Port with { V6Slaac = false, V6Gateway = null })!;

        Assert.True(Icmp6.TryRead(ra, out _, out _, out var body));
        Assert.True(RouterAdvertisement.TryDecode(body, out var decoded, out _));
        Assert.False(Assert.Single(decoded.Prefixes).Autonomous);
        Assert.Equal(0, decoded.RouterLifetimeSeconds);
    }

    [Fact]
    public void Advertise_PortWithoutIpv6_SendsNothing() => Assert.Null(GuestAnswers.Advertise(Port with { V6Prefix = null }));
}
