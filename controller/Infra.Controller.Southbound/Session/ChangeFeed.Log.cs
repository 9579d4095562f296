using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class ChangeFeed
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "store watch ended ({Reason}); resyncing every agent session")]
        public static partial void WatchRestarted(ILogger log, string reason);
    }
}
