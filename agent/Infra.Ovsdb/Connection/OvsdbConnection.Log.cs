using Microsoft.Extensions.Logging;

namespace Infra.Ovsdb.Connection;

public sealed partial class OvsdbConnection
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "OVSDB connection closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "OVSDB echo probe got no answer within {Timeout}")]
    private static partial void LogProbeTimeout(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "OVSDB notification handler for {Method} threw")]
    private static partial void LogNotificationFailed(ILogger logger, string method, Exception ex);
}
