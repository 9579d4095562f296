using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class RevocationWatch
{
    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "host {HostId} was revoked: its session ended")]
    static partial void LogSessionRevoked(ILogger logger, string hostId);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "revoked-host watch restarted: {Error}")]
    static partial void LogWatchRestarted(ILogger logger, string error);
}
