using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api.Audit;

public sealed partial class AuditInterceptor
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "audit record for {Method} by {Principal} ({Outcome}) was not written: {Error}; the call itself was answered")]
    static partial void LogWriteFailed(ILogger logger, string method, string principal, string outcome, string error);
}
