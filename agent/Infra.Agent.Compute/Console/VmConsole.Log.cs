using Microsoft.Extensions.Logging;

namespace Infra.Agent.Compute.Console;

public sealed partial class VmConsole
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "VM {VmId}: console connected ({How} qemu)")]
    private partial void LogConnected(string vmId, string how);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "VM {VmId}: console disconnected: {Why}")]
    private partial void LogDisconnected(string vmId, string why);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "VM {VmId}: console socket {Socket} did not answer: {Error}; retried when the VM is next observed running")]
    private partial void LogUnreachable(string vmId, string socket, string error);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "VM {VmId}: console connection lost: {Error}")]
    private partial void LogLost(string vmId, string error);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "VM {VmId}: cannot write the serial log {Path}: {Error}; console sessions still get the output")]
    private partial void LogWriteFailed(string vmId, string path, string error);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "VM {VmId}: console session {SessionId} opened as {Role}")]
    private partial void LogOpened(string vmId, string sessionId, string role);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "VM {VmId}: console session {SessionId} closed")]
    private partial void LogClosed(string vmId, string sessionId);
}
