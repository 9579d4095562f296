using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Commands;

public sealed partial class CommandRouter
{
    [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "command {CommandId} ({Op}) to host {HostId}, session {SessionId}")]
    private static partial void LogSending(ILogger log, string commandId, string op, string hostId, string sessionId);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "command {CommandId} for host {HostId} relayed to replica {ReplicaId} at {Url}")]
    private static partial void LogRelaying(ILogger log, string commandId, string hostId, string replicaId, string url);
}
