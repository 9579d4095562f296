using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

public sealed partial class SessionDirectory
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "session directory: keeping the lease alive failed: {Error}")]
        public static partial void KeepAliveFailed(ILogger log, string error);

        [LoggerMessage(EventId = 2122, Level = LogLevel.Warning, Message = "session directory: the store lost lease {Lease}; taking a new one and republishing this replica's sessions")]
        public static partial void LeaseLost(ILogger log, long lease);
    }
}
