using Infra.Agent.Hosting;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Tests.Config;

public class JournalLoggerTests
{
    [Theory]
    [InlineData(LogLevel.Critical, "<2>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Debug, "<7>")]
    public void Lines_CarryTheSyslogPriority_ForJournald(LogLevel level, string prefix)
    {
        var w = new StringWriter();
        using var p = new JournalLoggerProvider(LogLevel.Trace, w);
        p.CreateLogger("Infra.Agent.Core.Session.SouthboundClient").Log(level, new EventId(7), "two\nlines", null, (s, _) => s);
        Assert.Equal($"{prefix}SouthboundClient[7]: two lines{Environment.NewLine}", w.ToString());
    }

    [Fact]
    public void BelowTheMinimum_NothingIsWritten()
    {
        var w = new StringWriter();
        using var p = new JournalLoggerProvider(LogLevel.Warning, w);
        p.CreateLogger("x").LogInformation("quiet");
        Assert.Equal("", w.ToString());
    }
}
