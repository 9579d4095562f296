using Microsoft.Extensions.Logging;

namespace Infra.Store.Etcd;

sealed partial class EtcdWatchStream
{
    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "etcd watch stream broke; reopening and resuming {Watchers} watchers from their last revisions")]
    private static partial void LogWatchStreamBroken(ILogger logger, int watchers, Exception exception);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "etcd watch {WatchId} cancelled by the server: {Reason}")]
    private static partial void LogWatchCancelledByServer(ILogger logger, long watchId, string reason);
}
