using Microsoft.Extensions.Logging;

namespace Infra.Agent.Vm.Hosting;

public sealed partial class VmHost
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "VM {VmId} running: qemu PID {Pid}, {Volumes} volume(s), {Ms:0} ms from request")]
    private partial void LogVmStarted(string vmId, int pid, int volumes, double ms);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "VM {VmId} deleted with its volumes' daemons")]
    private partial void LogVmDeleted(string vmId);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "VM {VmId}: volume {VolumeId} attached as {Device} on {Port}")]
    private partial void LogAttached(string vmId, string volumeId, string device, string port);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "VM {VmId}: volume {VolumeId} detached")]
    private partial void LogDetached(string vmId, string volumeId);
}
