using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Hosting;

/// <summary>
/// One logging setup for the daemon's host and for the store it opens before the host is built:
/// under systemd the console logger uses Microsoft.Extensions.Hosting.Systemd's format ("&lt;6&gt;category[id]
/// message", journald reads the priority from the prefix), which is what UseSystemd configures for the
/// host; elsewhere one line per entry with a UTC timestamp.
/// </summary>
public static class ControllerLogging
{
    public static ILoggingBuilder Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (SystemdHelpers.IsSystemdService()) logging.AddSystemdConsole();
        else logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        return logging;
    }
}
