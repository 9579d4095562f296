using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Wire;

public class MessageCodecTests
{
    // The Hello every client sends first, byte for byte (its fields-array length 0x6d = 'm').
    static readonly byte[] HelloFrame = Hex.Latin1(
        "l\u0001\0\u0001" + "\0\0\0\0" + "\u0001\0\0\0" + "m\0\0\0" +
        "\u0001\u0001o\0" + "\u0015\0\0\0/org/freedesktop/DBus\0" + "\0\0" +
        "\u0002\u0001s\0" + "\u0014\0\0\0org.freedesktop.DBus\0" + "\0\0\0" +
        "\u0003\u0001s\0" + "\u0005\0\0\0Hello\0" + "\0\0" +
        "\u0006\u0001s\0" + "\u0014\0\0\0org.freedesktop.DBus\0" + "\0\0\0");

    static DBusMessage Hello => DBusMessage.MethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", "Hello") with { Serial = 1 };

    [Fact]
    public void Encode_Hello_MatchesReferenceBytes()
    {
        Assert.Equal(128, HelloFrame.Length);
        Assert.Equal(Hex.Of(HelloFrame), Hex.Of(MessageCodec.Encode(Hello)));
    }

    [Fact]
    public void TryDecode_Hello_ReadsEveryHeaderField()
    {
        Assert.Equal(128, MessageCodec.TryDecode(HelloFrame, out var m));
        Assert.Equal(Hello, m! with { Body = Hello.Body });
        Assert.Empty(m!.Body);
    }

    [Fact]
    public void TryDecode_OfEveryPrefix_ReportsIncomplete()
    {
        for (int n = 0; n < HelloFrame.Length; n++)
            Assert.Equal(0, MessageCodec.TryDecode(HelloFrame.AsSpan(0, n), out _));
    }

    [Fact]
    public void TryDecode_TwoFramesBackToBack_ConsumesOnlyTheFirst()
    {
        var two = HelloFrame.Concat(HelloFrame).ToArray();
        Assert.Equal(128, MessageCodec.TryDecode(two, out _));
    }

    // A big-endian method return for serial 3 with body (u 1): receivers must accept both byte orders.
    [Fact]
    public void TryDecode_BigEndianReply_ReadsValues()
    {
        var frame = Hex.Parse(
            "42 02 00 01 00000004 00000007 0000000f" +
            "05 01 75 00 00000003" + "08 01 67 00 01 75 00" + "00" +
            "00000001");
        Assert.Equal(36, MessageCodec.TryDecode(frame, out var m));
        Assert.Equal(MessageType.MethodReturn, m!.Type);
        Assert.Equal(7u, m.Serial);
        Assert.Equal(3u, m.ReplySerial);
        Assert.Equal("u", m.Signature);
        Assert.Equal(new object[] { 1u }, m.Body);
    }

    public static TheoryData<DBusMessage> RoundTrips => new()
    {
        DBusMessage.MethodCall("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
            "StartTransientUnit", "ssa(sv)a(sa(sv))", "x.service", "fail",
            new[] { ("Description", new DBusVariant("s", "d")), ("ExecStart", new DBusVariant("a(sasb)", new[] { ("/bin/sleep", new[] { "sleep", "1" }, false) })) },
            Array.Empty<object>()) with { Serial = 9 },
        DBusMessage.Signal("/a/b", "x.y", "Changed", "sua{sv}", "n", 5u, new Dictionary<string, DBusVariant>()) with { Serial = 2, Sender = ":1.3" },
        new DBusMessage { Type = MessageType.Error, ErrorName = "x.Error.Nope", ReplySerial = 4, Signature = "s", Body = new object[] { "no" }, Serial = 5 },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Encode_ThenDecode_PreservesHeaderAndReencodesIdentically(DBusMessage msg)
    {
        var bytes = MessageCodec.Encode(msg);
        Assert.Equal(bytes.Length, MessageCodec.TryDecode(bytes, out var back));
        Assert.Equal(msg.Path, back!.Path);
        Assert.Equal(msg.Member, back.Member);
        Assert.Equal(msg.ErrorName, back.ErrorName);
        Assert.Equal(msg.Signature, back.Signature);
        Assert.Equal(Hex.Of(bytes), Hex.Of(MessageCodec.Encode(back)));
    }

    [Theory]
    [InlineData("6c 01 00 01 00000000 01000000 00000000", "needs PATH")]          // method call without path or member
    [InlineData("78 01 00 01 00000000 01000000 00000000", "endianness")]
    [InlineData("6c 01 00 02 00000000 01000000 00000000", "version")]
    [InlineData("6c 01 00 01 00000000 00000000 00000000", "serial is 0")]
    [InlineData("6c 01 00 01 00000000 01000000 01000004", "limits")]
    [InlineData("6c 02 00 01 00000000 01000000 00000000", "REPLY_SERIAL")]
    public void TryDecode_OfBrokenHeader_ThrowsProtocolException(string hex, string why)
    {
        var ex = Assert.Throws<DBusProtocolException>(() => MessageCodec.TryDecode(Hex.Parse(hex), out _));
        Assert.Contains(why, ex.Message);
    }

    [Fact]
    public void TryDecode_WhenBodyDisagreesWithSignature_Throws()
    {
        var frame = MessageCodec.Encode(new DBusMessage { Type = MessageType.MethodReturn, ReplySerial = 1, Serial = 2, Signature = "u", Body = new object[] { 1u } });
        frame[4] = 8; // claim an 8-byte body
        var padded = frame.Concat(new byte[4]).ToArray();
        var ex = Assert.Throws<DBusProtocolException>(() => MessageCodec.TryDecode(padded, out _));
        Assert.Contains("body is 8 bytes", ex.Message);
    }
}

public class MessageFactoryTests
{
    [Fact]
    public void MethodCall_WithLoneStringArray_KeepsItAsOneArgument()
    {
        var m = DBusMessage.MethodCall(null, "/", "x.I", "M", "as", new[] { "a", "b" });
        Assert.Single(m.Body);
        Assert.Equal(m.Body.Count, MessageCodec.TryDecode(MessageCodec.Encode(m with { Serial = 1 }), out var back) > 0 ? back!.Body.Count : -1);
    }

    [Fact]
    public void MethodCall_WithSeveralArguments_KeepsThemApart() =>
        Assert.Equal(2, DBusMessage.MethodCall(null, "/", "x.I", "M", "su", "a", 1u).Body.Count);
}
