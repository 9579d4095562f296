using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api.Audit;

public sealed partial class AuditRetention
{
    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "audit retention deleted {Count} record(s) older than {Cutoff:O}")]
    static partial void LogSwept(ILogger logger, long count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "audit retention pass failed ({Error}); retrying in an hour")]
    static partial void LogSweepFailed(ILogger logger, string error);
}
