using Microsoft.Extensions.Logging;

namespace Infra.DBus.Client;

static partial class DBusConnectionLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "D-Bus connected to {Address} as {UniqueName} (unix fds: {UnixFds})")]
    public static partial void Connected(ILogger logger, string address, string uniqueName, bool unixFds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "D-Bus connection {UniqueName} closed: {Reason}")]
    public static partial void Closed(ILogger logger, string? uniqueName, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "D-Bus signal handler for {Member} threw")]
    public static partial void SignalHandlerFailed(ILogger logger, string? member, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "D-Bus reply #{ReplySerial} arrived for no pending call (late after timeout or cancel)")]
    public static partial void UnmatchedReply(ILogger logger, uint replySerial);
}
