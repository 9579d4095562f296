using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

public sealed partial class SessionDirectory
{
    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "session directory: keeping the lease alive failed: {Error}")]
    private static partial void LogKeepAliveFailed(ILogger log, string error);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Warning, Message = "session directory: the store lost lease {Lease}; taking a new one and republishing this replica's sessions")]
    private static partial void LogLeaseLost(ILogger log, long lease);
}
