using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class StatusApplier
{
    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "host {HostId}: ignored its {Message} about {Kind} {Id}: {Why}")]
    private static partial void LogNotPlacedHere(ILogger log, string hostId, string message, string kind, string id, string why);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "host {HostId}: ignored its {Message} about {Kind} {Id}, which does not exist (deleted meanwhile, or never was)")]
    private static partial void LogUnknown(ILogger log, string hostId, string message, string kind, string id);
}
