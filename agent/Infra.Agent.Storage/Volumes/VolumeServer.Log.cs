using Microsoft.Extensions.Logging;

namespace Infra.Agent.Storage.Volumes;

public sealed partial class VolumeServer
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "volume {Id} served by qemu-storage-daemon pid {Pid} at {Socket}")]
    private static partial void LogServed(ILogger log, string id, int pid, string socket);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "volume {Id} adopted from running qemu-storage-daemon pid {Pid}, top node {Node}")]
    private static partial void LogAdopted(ILogger log, string id, int pid, string node);
}
