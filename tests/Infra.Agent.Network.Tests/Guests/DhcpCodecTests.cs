using System.Net;
using Infra.Agent.Network.Guests.Dhcp;

namespace Infra.Agent.Network.Tests.Guests;

/// <summary>The DHCPv4 message and option 121 codecs against wire bytes.</summary>
public sealed class DhcpCodecTests
{
    /// <summary>A DHCP request as a client sends it: BOOTP header, magic cookie, options.</summary>
    static byte[] Request(byte type, params byte[] moreOptions)
    {
        var b = new byte[240];
        b[0] = 1; b[1] = 1; b[2] = 6; // BOOTREQUEST, Ethernet, 6-byte MAC
        b[4] = 0xde; b[5] = 0xad; b[6] = 0xbe; b[7] = 0xef; // xid
        b[10] = 0x80; // broadcast flag
        byte[] mac = [0x02, 0, 0, 0, 0, 0x01];
        mac.CopyTo(b, 28);
        b[236] = 0x63; b[237] = 0x82; b[238] = 0x53; b[239] = 0x63;
        return [.. b, 53, 1, type, .. moreOptions, 255];
    }

    public static TheoryData<string, byte[], DhcpMessageType, string?> Messages => new()
    {
        { "discover", Request(1), DhcpMessageType.Discover, null },
        { "request with option 50", Request(3, 50, 4, 10, 0, 0, 5), DhcpMessageType.Request, "10.0.0.5" },
        { "padding between options", Request(3, 0, 0, 50, 4, 10, 0, 0, 7), DhcpMessageType.Request, "10.0.0.7" },
        { "inform", Request(8), DhcpMessageType.Inform, null },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void TryDecode_ClientMessage_ReadsTypeXidMacAndRequestedAddress(string _, byte[] wire, DhcpMessageType type, string? requested)
    {
        Assert.True(DhcpMessage.TryDecode(wire, out var m, out var error), error);
        Assert.Equal((DhcpMessage.BootRequest, 0xdeadbeefu, DhcpMessage.BroadcastFlag, type), (m.Op, m.Xid, m.Flags, m.Type!.Value));
        Assert.Equal([0x02, 0, 0, 0, 0, 0x01], m.Chaddr);
        Assert.Equal(requested, m.RequestedAddress?.ToString());
    }

    public static TheoryData<string, byte[], string> Broken => new()
    {
        { "too short", new byte[100], "shorter" },
        { "no cookie", Request(1).Select((b, i) => i == 236 ? (byte)0 : b).ToArray(), "magic cookie" },
        { "not ethernet", Request(1).Select((b, i) => i == 1 ? (byte)6 : b).ToArray(), "not Ethernet" },
        { "option overruns", [.. Request(1)[..^1], 50, 9, 1, 2], "only" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void TryDecode_BrokenMessage_SaysWhatIsWrong(string _, byte[] wire, string why)
    {
        Assert.False(DhcpMessage.TryDecode(wire, out DhcpMessage _, out var error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void Encode_ThenDecode_KeepsEveryFieldAndOption_AndPadsToBootpMinimum()
    {
        var m = new DhcpMessage(DhcpMessage.BootReply, 42, 0, 0, IPAddress.Any, IPAddress.Parse("10.0.0.5"), IPAddress.Any, IPAddress.Any,
            [2, 0, 0, 0, 0, 1], [DhcpOption.Of(DhcpOptionCode.MessageType, 2), DhcpOption.Address(DhcpOptionCode.Router, IPAddress.Parse("10.0.0.1"))]);

        var wire = m.Encode();

        Assert.True(wire.Length >= 300);
        Assert.Equal([0x63, 0x82, 0x53, 0x63], wire[236..240]);
        Assert.Equal([53, 1, 2, 3, 4, 10, 0, 0, 1, 255], wire[240..250]);
        Assert.True(DhcpMessage.TryDecode(wire, out var back, out _));
        Assert.Equal((42u, "10.0.0.5", DhcpMessageType.Offer), (back.Xid, back.Yiaddr.ToString(), back.Type!.Value));
    }

    [Fact]
    public void ClasslessRoutes_EncodeRfc3442_SignificantOctetsOnly()
    {
        var bytes = ClasslessRoutes.Encode([
            (IPNetwork.Parse("192.168.50.0/24"), IPAddress.Parse("10.0.0.254")),
            (IPNetwork.Parse("10.0.0.0/8"), IPAddress.Parse("10.0.0.253")),
            (IPNetwork.Parse("0.0.0.0/0"), IPAddress.Parse("10.0.0.1"))]);

        Assert.Equal([24, 192, 168, 50, 10, 0, 0, 254, 8, 10, 10, 0, 0, 253, 0, 10, 0, 0, 1], bytes);
        Assert.True(ClasslessRoutes.TryDecode(bytes, out var routes));
        Assert.Equal(["192.168.50.0/24 via 10.0.0.254", "10.0.0.0/8 via 10.0.0.253", "0.0.0.0/0 via 10.0.0.1"], routes.Select(r => $"{r.Destination} via {r.Router}"));
    }

    [Fact]
    public void ClasslessRoutes_TruncatedEntry_DoesNotDecode() =>
        Assert.False(ClasslessRoutes.TryDecode([24, 192, 168, 50, 10, 0], out _));
}
