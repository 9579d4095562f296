using Microsoft.Extensions.Logging;

namespace Infra.Ovsdb.Client;

public sealed partial class OvsdbClient
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "OVSDB connected to {Endpoint} (session {Session})")]
    private static partial void LogConnected(ILogger logger, string endpoint, int session);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "OVSDB connection to {Endpoint} failed: {Reason}; retrying in {Backoff}")]
    private static partial void LogConnectFailed(ILogger logger, string endpoint, string reason, TimeSpan backoff);
}
