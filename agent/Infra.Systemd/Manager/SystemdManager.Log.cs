using Microsoft.Extensions.Logging;

namespace Infra.Systemd.Manager;

static partial class SystemdManagerLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Connected to systemd {Version} at {Address}")]
    public static partial void Connected(ILogger logger, string address, string version);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "The bus connection to systemd was lost ({Reason}); {Waiters} awaited job(s) failed, the next call reconnects")]
    public static partial void ConnectionLost(ILogger logger, string reason, int waiters);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Subscribed to systemd job signals")]
    public static partial void Subscribed(ILogger logger);
}
