using System.Net.Sockets;
using System.Text;
using Infra.Systemd.Notify;

namespace Infra.Systemd.Tests.Notify;

public class SdNotifyTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("/run/systemd/notify", "/run/systemd/notify")]
    [InlineData("@/org/freedesktop/systemd1/notify/123", "\0/org/freedesktop/systemd1/notify/123")]
    public void ParseSocket_HandlesPathsAndAbstractNames(string? env, string? expected) => Assert.Equal(expected, SdNotify.ParseSocket(env));

    [Theory]
    [InlineData("relative/path")]
    [InlineData("vsock:2:1234")]
    public void ParseSocket_RejectsWhatItCannotReach(string env) => Assert.Throws<ArgumentException>(() => SdNotify.ParseSocket(env));

    [Fact]
    public void Format_WritesOneLinePerAssignment() =>
        Assert.Equal("READY=1\nSTATUS=serving 3 VMs\n", Encoding.UTF8.GetString(SdNotify.Format(
            [KeyValuePair.Create("READY", "1"), KeyValuePair.Create("STATUS", "serving 3 VMs")])));

    [Theory]
    [InlineData("ready", "1")]
    [InlineData("STATUS", "two\nlines")]
    [InlineData("", "x")]
    public void Format_RejectsBadKeysAndMultilineValues(string key, string value) =>
        Assert.Throws<ArgumentException>(() => SdNotify.Format([KeyValuePair.Create(key, value)]));

    [Fact]
    public void Notify_WithoutSocket_IsNoOp()
    {
        using var n = new SdNotify(null);
        Assert.False(n.IsEnabled);
        Assert.False(n.Ready());
        Assert.False(n.Watchdog());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Notify_SendsOneDatagramPerCall_ToPathOrAbstractSocket(bool useAbstract)
    {
        var dir = Directory.CreateTempSubdirectory("infra-notify-").FullName;
        try
        {
            var name = useAbstract ? "@infra-notify-test-" + Guid.NewGuid().ToString("N") : Path.Combine(dir, "notify");
            using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            server.Bind(new UnixDomainSocketEndPoint(SdNotify.ParseSocket(name)!));
            server.ReceiveTimeout = 5000;
            using var n = new SdNotify(name);

            Assert.True(n.Ready("up"));
            Assert.True(n.Watchdog());
            Assert.True(n.Stopping());

            var buf = new byte[4096];
            string Next() => Encoding.UTF8.GetString(buf, 0, server.Receive(buf));
            Assert.Equal("READY=1\nSTATUS=up\n", Next());
            Assert.Equal("WATCHDOG=1\n", Next());
            Assert.Equal("STOPPING=1\n", Next());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("30000000", null, 30_000_000L)]
    [InlineData("500000", "42", 500_000L)]
    [InlineData("500000", "43", null)]  // meant for another process
    public void Watchdog_Parse_FollowsSdWatchdogEnabled(string? usec, string? pid, long? expectedUs)
    {
        var w = WatchdogSettings.Parse(usec, pid, ownPid: 42);
        Assert.Equal(expectedUs, w is null ? null : (long)(w.Interval.Ticks / 10));
        if (w is not null) Assert.Equal(w.Interval / 2, w.PingEvery);
    }

    [Theory]
    [InlineData("abc", null)]
    [InlineData("0", null)]
    [InlineData("100", "x")]
    public void Watchdog_Parse_RejectsGarbage(string usec, string? pid) =>
        Assert.Throws<FormatException>(() => WatchdogSettings.Parse(usec, pid, 1));
}
