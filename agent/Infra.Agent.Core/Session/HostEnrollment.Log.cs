using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Session;

public sealed partial class HostEnrollment
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Host certificate loaded from {File}, valid until {NotAfter:u}")]
    partial void LogLoaded(string file, DateTime notAfter);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Enrolled as host {HostId}: certificate valid until {NotAfter:u}")]
    partial void LogEnrolled(string hostId, DateTime notAfter);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Host {HostId} certificate renewed, valid until {NotAfter:u}")]
    partial void LogRenewed(string hostId, DateTime notAfter);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "Host certificate {Step} failed (retrying): {Error}")]
    partial void LogFailed(string step, string error);
}
