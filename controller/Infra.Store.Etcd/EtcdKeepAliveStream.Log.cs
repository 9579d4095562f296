using Microsoft.Extensions.Logging;

namespace Infra.Store.Etcd;

sealed partial class EtcdKeepAliveStream
{
    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "etcd keepalive stream broke; pending keepalives fail and the next one reopens it")]
    private static partial void LogKeepAliveStreamBroken(ILogger logger, Exception exception);
}
