using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

public sealed partial class HostFailureDetector
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "{ControllerId} leads host failure detection")]
    private static partial void LogLeading(ILogger log, string controllerId);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "host failure detection stopped leading ({Reason}); campaigning again")]
    private static partial void LogLeadLost(ILogger log, string reason);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "host {HostId}: {From} -> {To} (last heartbeat {LastHeartbeat:o})")]
    private static partial void LogTransition(ILogger log, string hostId, HostState from, HostState to, DateTimeOffset lastHeartbeat);
}
