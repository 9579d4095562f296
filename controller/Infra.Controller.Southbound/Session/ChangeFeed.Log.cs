using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class ChangeFeed
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "store watch ended ({Reason}); resyncing every agent session")]
    private static partial void LogWatchRestarted(ILogger log, string reason);
}
