using Microsoft.Extensions.Logging;

namespace Infra.Qmp;

public sealed partial class QmpClient
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "QMP connected to qemu {Version}")]
    private static partial void LogConnected(ILogger log, string version);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "QMP event {Name}")]
    private static partial void LogEvent(ILogger log, string name);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "QMP command {Command} (id {Id}) timed out")]
    private static partial void LogTimeout(ILogger log, string command, string id);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug, Message = "QMP reply matches no pending call: {What}")]
    private static partial void LogUnmatched(ILogger log, string what);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "QMP connection closed: {Reason}")]
    private static partial void LogClosed(ILogger log, string reason);
}
