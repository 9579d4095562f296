using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Apply;

public sealed partial class ApplyLoop
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Desired state v{Version} applied ({Count} objects)")]
    private partial void LogApplied(ulong version, int count);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Desired state v{Version} enforced (periodic pass, no errors)")]
    private partial void LogEnforced(ulong version);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Desired state v{Version}: {Count} object(s) failed: {Errors}")]
    private partial void LogApplyErrors(ulong version, int count, string errors);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Applier {Applier} threw on v{Version}: {Error}")]
    private partial void LogApplierFailed(string applier, ulong version, string error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Error, Message = "An apply handler threw: {Error}")]
    private partial void LogHandlerFailed(string error);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Enforcing nothing until the controller sends a full desired state ({Why}): running VMs, volume daemons, OVS rows and flows are left as they are")]
    private partial void LogHeld(string why);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Desired state v{Version} received: the hold is lifted, enforcing it")]
    private partial void LogHoldLifted(ulong version);
}
