using Infra.Agent.Storage.Nbd;

namespace Infra.Agent.Storage.Tests;

/// <summary>The NBD handshake and read framing, one row of bytes per message (big-endian throughout).</summary>
public class NbdCodecTests
{
    [Theory]
    // "NBDMAGIC" "IHAVEOPT", flags fixed-newstyle | no-zeroes
    [InlineData("4e42444d41474943" + "49484156454f5054" + "0003", 3)]
    [InlineData("4e42444d41474943" + "49484156454f5054" + "0001", 1)]
    public void Greeting_FixedNewstyle_GivesServerFlags(string hex, int flags) =>
        Assert.Equal(flags, NbdCodec.ParseGreeting(Convert.FromHexString(hex)));

    [Theory]
    [InlineData("4e42444d41474943" + "49484156454f5054" + "0000")] // old newstyle: refused
    [InlineData("4e42444d41474943" + "00420281861253" + "00" + "0003")] // oldstyle magic
    public void Greeting_NotFixedNewstyle_IsRefused(string hex) =>
        Assert.Throws<NbdProtocolException>(() => NbdCodec.ParseGreeting(Convert.FromHexString(hex)));

    [Theory]
    [InlineData((ushort)3, "00000003")]
    [InlineData((ushort)1, "00000001")]
    public void ClientFlags_EchoNoZeroesOnlyWhenOffered(ushort server, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(NbdCodec.ClientFlags(server)));

    [Theory]
    // IHAVEOPT, NBD_OPT_GO (7), length 4+len+2, name length, name, 0 info requests
    [InlineData("x1", "49484156454f5054" + "00000007" + "00000008" + "00000002" + "7831" + "0000")]
    [InlineData("", "49484156454f5054" + "00000007" + "00000006" + "00000000" + "0000")]
    public void OptGo_EncodesTheExportName(string name, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(NbdCodec.OptGoRequest(name)));

    [Theory]
    [InlineData("0003e889045565a9" + "00000007" + "00000003" + "0000000c", 7u, 3u, 12, false)] // NBD_REP_INFO
    [InlineData("0003e889045565a9" + "00000007" + "00000001" + "00000000", 7u, 1u, 0, false)] // NBD_REP_ACK
    [InlineData("0003e889045565a9" + "00000007" + "80000006" + "00000010", 7u, 0x80000006u, 16, true)] // NBD_REP_ERR_UNKNOWN
    public void OptionReply_Header(string hex, uint option, uint type, int length, bool error)
    {
        var r = NbdCodec.ParseOptionReply(Convert.FromHexString(hex));
        Assert.Equal((option, type, length, error), (r.Option, r.Type, r.Length, r.IsError));
    }

    [Theory]
    [InlineData("0000" + "0000000002000000" + "0003", 32UL << 20)] // NBD_INFO_EXPORT: size, transmission flags
    [InlineData("0003" + "0000000000001000", null)]                 // NBD_INFO_BLOCK_SIZE: not the size
    public void InfoExport_GivesTheSize(string hex, ulong? size) =>
        Assert.Equal(size, NbdCodec.ExportSize(Convert.FromHexString(hex)));

    [Theory]
    [InlineData(NbdCodec.CmdRead, 5UL, 1048576UL, 65536u, "25609513" + "0000" + "0000" + "0000000000000005" + "0000000000100000" + "00010000")]
    [InlineData(NbdCodec.CmdDisconnect, 9UL, 0UL, 0u, "25609513" + "0000" + "0002" + "0000000000000009" + "0000000000000000" + "00000000")]
    public void Request_Encodes(ushort type, ulong cookie, ulong offset, uint length, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(NbdCodec.Request(type, cookie, offset, length)));

    [Theory]
    [InlineData("67446698" + "00000000" + "0000000000000005", 0u, 5UL)]
    [InlineData("67446698" + "00000005" + "0000000000000007", 5u, 7UL)] // EIO
    public void SimpleReply_GivesErrorAndCookie(string hex, uint error, ulong cookie) =>
        Assert.Equal((error, cookie), NbdCodec.ParseSimpleReply(Convert.FromHexString(hex)));

    [Fact]
    public void StructuredReply_IsRefused() =>
        Assert.Throws<NbdProtocolException>(() => NbdCodec.ParseSimpleReply(Convert.FromHexString("668e33ef" + "0000" + "0000" + "0000000000000005")));
}
