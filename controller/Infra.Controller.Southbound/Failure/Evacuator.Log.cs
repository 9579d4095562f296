using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

public sealed partial class Evacuator
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "instance {InstanceId}: host {From} is down, restarting it on {To}")]
    private static partial void LogMoved(ILogger log, string instanceId, string from, string to);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "instance {InstanceId}: host {From} is down and it fits nowhere else: {Why}")]
    private static partial void LogStranded(ILogger log, string instanceId, string from, string why);
}
