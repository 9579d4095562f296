using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

public sealed partial class CommandRouter
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "command {CommandId} ({Op}) to host {HostId}, session {SessionId}")]
        public static partial void Sending(ILogger log, string commandId, string op, string hostId, string sessionId);

        [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "command {CommandId} for host {HostId} relayed to replica {ReplicaId} at {Url}")]
        public static partial void Relaying(ILogger log, string commandId, string hostId, string replicaId, string url);
    }
}
