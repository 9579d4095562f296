using Infra.Systemd.Notify;

namespace Infra.Systemd.Tests.Notify;

public class WatchdogSettingsTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("30000000", null, 30_000_000L)]
    [InlineData("500000", "42", 500_000L)]
    [InlineData("500000", "43", null)]  // meant for another process
    public void Parse_FollowsSdWatchdogEnabled(string? usec, string? pid, long? expectedUs)
    {
        var w = WatchdogSettings.Parse(usec, pid, ownPid: 42);
        Assert.Equal(expectedUs, w is null ? null : (long)(w.Interval.Ticks / 10));
        if (w is not null) Assert.Equal(w.Interval / 4, w.PingEvery);
    }

    [Theory]
    [InlineData("abc", null)]
    [InlineData("0", null)]
    [InlineData("100", "x")]
    public void Parse_RejectsGarbage(string usec, string? pid) =>
        Assert.Throws<FormatException>(() => WatchdogSettings.Parse(usec, pid, 1));
}
