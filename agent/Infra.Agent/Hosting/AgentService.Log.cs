using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

public sealed partial class AgentService
{
    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "infra-agent started: host {HostId}, state {StateDir}, controller {Url}")]
    private partial void LogStarted(string hostId, string stateDir, string url);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "infra-agent stopping; VMs, volumes and flows are left running")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 1012, Level = LogLevel.Critical, Message = "infra-agent failed: {Error}")]
    private partial void LogFailed(string error, Exception exception);
}
