using Microsoft.Extensions.Logging;

namespace Infra.Systemd.Notify;

public sealed partial class WatchdogPet
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "systemd watchdog: deadline {Deadline}, petting every {Every} while healthy")]
    private partial void LogEnabled(TimeSpan deadline, TimeSpan every);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Not healthy: withholding the systemd watchdog pet; systemd restarts the service within {Deadline} unless it recovers")]
    private partial void LogWithheld(TimeSpan deadline);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Healthy again: petting the systemd watchdog")]
    private partial void LogRecovered();
}
