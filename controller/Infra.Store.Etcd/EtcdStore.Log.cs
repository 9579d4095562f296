using Microsoft.Extensions.Logging;

namespace Infra.Store.Etcd;

static partial class Log
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "etcd member {Address} unavailable ({Detail}); trying the next member")]
    public static partial void MemberUnavailable(ILogger logger, string address, string detail);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "etcd watch stream broke; reopening and resuming {Watchers} watchers from their last revisions")]
    public static partial void WatchStreamBroken(ILogger logger, int watchers, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "etcd keepalive stream broke; pending keepalives fail and the next one reopens it")]
    public static partial void KeepAliveStreamBroken(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "etcd watch {WatchId} cancelled by the server: {Reason}")]
    public static partial void WatchCancelledByServer(ILogger logger, long watchId, string reason);
}
