using Microsoft.Extensions.Logging;

namespace Infra.Agent.Network;

public sealed partial class NetworkReconcileLoop
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Network reconcile pass failed: {Reason}; retrying in {Delay}")]
    private static partial void LogPassFailed(ILogger logger, string reason, TimeSpan delay);
}
