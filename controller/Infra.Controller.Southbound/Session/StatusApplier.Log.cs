using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class StatusApplier
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "host {HostId}: ignored its {Message} about {Kind} {Id}: {Why}")]
        public static partial void NotPlacedHere(ILogger log, string hostId, string message, string kind, string id, string why);

        [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "host {HostId}: ignored its {Message} about {Kind} {Id}, which does not exist (deleted meanwhile, or never was)")]
        public static partial void Unknown(ILogger log, string hostId, string message, string kind, string id);
    }
}
