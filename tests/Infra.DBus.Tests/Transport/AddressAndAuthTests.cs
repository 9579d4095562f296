using Infra.DBus.Transport;

namespace Infra.DBus.Tests.Transport;

public class AddressAndAuthTests
{
    [Fact]
    public void ParseAll_ReadsEveryEntryAndKey()
    {
        var all = DBusAddress.ParseAll("unix:path=/run/dbus/system_bus_socket,guid=abc;unix:abstract=/tmp/dbus-x");
        Assert.Equal(2, all.Count);
        Assert.Equal("unix", all[0].Transport);
        Assert.Equal("/run/dbus/system_bus_socket", all[0].Keys["path"]);
        Assert.Equal("abc", all[0].Guid);
        Assert.Equal("/tmp/dbus-x", all[1].Keys["abstract"]);
    }

    [Fact]
    public void ParseAll_DecodesPercentEscapes() =>
        Assert.Equal("/tmp/a b,c", DBusAddress.ParseAll("unix:path=/tmp/a%20b%2cc")[0].Keys["path"]);

    [Fact]
    public void ForUnixPath_EscapesThenParsesBack()
    {
        var addr = DBusAddress.ForUnixPath("/tmp/x y;z");
        Assert.Equal("/tmp/x y;z", DBusAddress.ParseAll(addr)[0].Keys["path"]);
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData("unix:path")]
    [InlineData("")]
    public void ParseAll_OfMalformedAddress_Throws(string addr) => Assert.Throws<FormatException>(() => DBusAddress.ParseAll(addr));

    [Fact]
    public void ToEndPoint_OfTcp_SaysOnlyUnixIsSupported()
    {
        var ex = Assert.Throws<NotSupportedException>(() => DBusAddress.ParseAll("tcp:host=localhost,port=1")[0].ToEndPoint());
        Assert.Contains("unix:", ex.Message);
    }

    [Theory]
    [InlineData(0u, "AUTH EXTERNAL 30")]
    [InlineData(1000u, "AUTH EXTERNAL 31303030")]
    public void AuthCommand_HexEncodesDecimalUid(uint uid, string line) => Assert.Equal(line, SaslExternal.AuthCommand(uid));

    [Theory]
    [InlineData("OK 1234deadbeef", SaslExternal.ReplyKind.Ok, "1234deadbeef")]
    [InlineData("REJECTED EXTERNAL DBUS_COOKIE_SHA1", SaslExternal.ReplyKind.Rejected, "EXTERNAL DBUS_COOKIE_SHA1")]
    [InlineData("AGREE_UNIX_FD", SaslExternal.ReplyKind.AgreeUnixFd, "")]
    [InlineData("ERROR \"no fds\"", SaslExternal.ReplyKind.Error, "\"no fds\"")]
    [InlineData("WHAT", SaslExternal.ReplyKind.Unknown, "WHAT")]
    public void Parse_ClassifiesServerLines(string line, SaslExternal.ReplyKind kind, string arg) =>
        Assert.Equal(new SaslExternal.Reply(kind, arg), SaslExternal.Parse(line));
}
