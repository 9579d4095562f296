using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

public sealed partial class AgentHost
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Loaded desired state v{Version} ({Count} objects) from disk")]
    private partial void LogLoaded(ulong version, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Persisted desired state unusable: {Problem}")]
    private partial void LogStateDamaged(string problem);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Closing {Component} failed: {Error}")]
    private partial void LogDisposeFailed(string component, string error);
}
