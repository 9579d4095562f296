using Microsoft.Extensions.Logging;

namespace Infra.Agent.Vm.Snapshots;

public static partial class GroupSnapshotter
{
    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "VM {VmId}: group snapshot of {Count} volume(s), {Method}, window {WindowUs} us")]
    private static partial void LogSnapshot(ILogger log, string vmId, int count, string method, long windowUs);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "VM {VmId}: guest agent did not freeze ({Detail}); taking a crash-consistent snapshot")]
    private static partial void LogNoQuiesce(ILogger log, string vmId, string detail);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "VM {VmId}: could not undo the snapshot's {What}: {Error}")]
    private static partial void LogUndoFailed(ILogger log, string vmId, string what, string error);
}
