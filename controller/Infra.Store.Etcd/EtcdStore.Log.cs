using Microsoft.Extensions.Logging;

namespace Infra.Store.Etcd;

public sealed partial class EtcdStore
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "etcd member {Address} unavailable ({Detail}); trying the next member")]
    private static partial void LogMemberUnavailable(ILogger logger, string address, string detail);
}
