using Microsoft.Extensions.Logging;

namespace Infra.Agent.Network.Guests.Responder;

public sealed partial class GuestResponder
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "DHCP/RA responder listening on {Interface}")]
    private static partial void LogListening(ILogger logger, string @interface);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "DHCP/RA responder on {Interface}: {Problem}; retrying every second")]
    private static partial void LogSocketProblem(ILogger logger, string @interface, string problem);
}
