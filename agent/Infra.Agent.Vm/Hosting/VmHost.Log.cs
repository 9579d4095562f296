using Microsoft.Extensions.Logging;

namespace Infra.Agent.Vm.Hosting;

public sealed partial class VmHost
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "VM {VmId} running: qemu PID {Pid}, {Volumes} volume(s), {Ms:0} ms from request")]
    private partial void LogVmStarted(string vmId, int pid, int volumes, double ms);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "VM {VmId} deleted with its volumes' daemons")]
    private partial void LogVmDeleted(string vmId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "VM {VmId}: volume {VolumeId} attached as {Device} on {Port}")]
    private partial void LogAttached(string vmId, string volumeId, string device, string port);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "VM {VmId}: volume {VolumeId} detached")]
    private partial void LogDetached(string vmId, string volumeId);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "VM {VmId}: group snapshot of {Count} volume(s), {Method}, window {WindowUs} us")]
    private partial void LogSnapshot(string vmId, int count, string method, long windowUs);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "VM {VmId}: guest agent did not freeze ({Detail}); taking a crash-consistent snapshot")]
    private partial void LogNoQuiesce(string vmId, string detail);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "VM {VmId}: could not undo the snapshot's {What}: {Error}")]
    private partial void LogUndoFailed(string vmId, string what, string error);
}
