using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Session;

public sealed partial class SouthboundClient
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Session {State}: {Why}")]
    private partial void LogState(string state, string why);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Session with {Url} failed ({Type}): {Error}")]
    private partial void LogSessionFailed(string url, string type, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Reconnecting in {DelayMs:F0} ms")]
    private partial void LogReconnecting(double delayMs);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Welcome from {Controller}: session {SessionId}, heartbeat {HeartbeatMs} ms; Hello claimed v{Version}")]
    private partial void LogWelcome(string controller, string sessionId, uint heartbeatMs, ulong version);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Desired state v{Version} ({Kind}, {Upserts} upserts, {Removals} removals) accepted and persisted")]
    private partial void LogDesired(ulong version, string kind, int upserts, int removals);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Delta v{Version} is based on v{Base} but the agent holds v{Held}; asking for a full state")]
    private partial void LogBaseMismatch(ulong version, ulong @base, ulong held);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Desired state v{Version} rejected: {Error}")]
    private partial void LogInvalid(ulong version, string error);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Acked v{Version}")]
    private partial void LogAcked(ulong version);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Nacked v{Version}: {Error}")]
    private partial void LogNacked(ulong version, string error);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Command {CommandId} ({Op}) is not supported by this agent")]
    private partial void LogCommandUnsupported(string commandId, string op);
}
