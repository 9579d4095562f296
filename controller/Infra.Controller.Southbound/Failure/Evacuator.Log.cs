using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

public sealed partial class Evacuator
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "instance {InstanceId}: host {From} is down, restarting it on {To}")]
        public static partial void Moved(ILogger log, string instanceId, string from, string to);

        [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "instance {InstanceId}: host {From} is down and it fits nowhere else: {Why}")]
        public static partial void Stranded(ILogger log, string instanceId, string from, string why);
    }
}
