using Microsoft.Extensions.Logging;

namespace Infra.Controller.Hosting;

public sealed partial class ControllerHealth
{
    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "the store does not answer ({Error}); past {Limit} without an answer the watchdog pet stops and systemd restarts the controller")]
    private partial void LogStoreNotAnswering(string error, TimeSpan limit);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "the store answers again")]
    private partial void LogStoreAnswersAgain();
}
