using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Status;

public sealed partial class StatusCollector
{
    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "Status source {Source} failed: {Error}")]
    private partial void LogSourceFailed(string source, string error);
}
