using Infra.DBus.Client;
using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Client;

public class MatchRuleTests
{
    [Fact]
    public void ToString_ListsSetKeysInSpecSyntax() =>
        Assert.Equal("type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved',path='/org/freedesktop/systemd1'",
            new MatchRule { Sender = "org.freedesktop.systemd1", Interface = "org.freedesktop.systemd1.Manager", Member = "JobRemoved", Path = "/org/freedesktop/systemd1" }.ToString());

    [Fact]
    public void ToString_EscapesApostrophes() =>
        Assert.Equal("type='signal',arg0='it'\\''s'", new MatchRule { Arg0 = "it's" }.ToString());

    static DBusMessage Sig(string path, string iface, string member, params object[] body) =>
        DBusMessage.Signal(path, iface, member, body.Length == 0 ? "" : "s", body) with { Sender = ":1.7" };

    [Theory]
    [InlineData("/a/b", "x.I", "M", true)]
    [InlineData("/a/b", "x.I", "Other", false)]
    [InlineData("/a/b", "x.J", "M", false)]
    [InlineData("/c", "x.I", "M", false)]
    public void Matches_ComparesInterfaceMemberAndPathNamespace(string path, string iface, string member, bool expected) =>
        Assert.Equal(expected, new MatchRule { Interface = "x.I", Member = "M", PathNamespace = "/a" }.Matches(Sig(path, iface, member)));

    [Fact]
    public void Matches_ChecksArg0AndUniqueSender()
    {
        Assert.True(new MatchRule { Arg0 = "v" }.Matches(Sig("/", "x.I", "M", "v")));
        Assert.False(new MatchRule { Arg0 = "v" }.Matches(Sig("/", "x.I", "M", "w")));
        Assert.False(new MatchRule { Sender = ":1.8" }.Matches(Sig("/", "x.I", "M")));
        Assert.True(new MatchRule { Sender = "org.well.Known" }.Matches(Sig("/", "x.I", "M")));
    }

    [Fact]
    public void Matches_NeverMatchesOtherMessageTypes() =>
        Assert.False(new MatchRule().Matches(DBusMessage.MethodCall(null, "/", "x.I", "M")));
}
