using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Failure;

public sealed partial class HostFailureDetector
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "{ControllerId} leads host failure detection")]
        public static partial void Leading(ILogger log, string controllerId);

        [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "host failure detection stopped leading ({Reason}); campaigning again")]
        public static partial void LeadLost(ILogger log, string reason);

        [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "host {HostId}: {From} -> {To} (last heartbeat {LastHeartbeat:o})")]
        public static partial void Transition(ILogger log, string hostId, HostState from, HostState to, DateTimeOffset lastHeartbeat);
    }
}
