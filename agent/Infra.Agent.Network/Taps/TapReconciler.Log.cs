using Microsoft.Extensions.Logging;

namespace Infra.Agent.Network.Taps;

public sealed partial class TapReconciler
{
    [LoggerMessage(EventId = 2311, Level = LogLevel.Information, Message = "Tap {Tap} created (persistent, MTU {Mtu}, up)")]
    private partial void LogCreated(string tap, int mtu);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Information, Message = "Tap {Tap} removed")]
    private partial void LogRemoved(string tap);

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "Tap {Action} {Tap} failed: {Error}; retried next pass")]
    private partial void LogFailed(string action, string tap, string error);
}
