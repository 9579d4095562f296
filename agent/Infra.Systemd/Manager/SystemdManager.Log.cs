using Microsoft.Extensions.Logging;

namespace Infra.Systemd.Manager;

public sealed partial class SystemdManager
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Connected to systemd {Version} at {Address}")]
    private static partial void LogConnected(ILogger logger, string address, string version);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "The bus connection to systemd was lost ({Reason}); {Waiters} awaited job(s) failed, the next call reconnects")]
    private static partial void LogConnectionLost(ILogger logger, string reason, int waiters);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Subscribed to systemd job signals")]
    private static partial void LogSubscribed(ILogger logger);
}
