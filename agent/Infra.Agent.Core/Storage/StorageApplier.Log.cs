using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Storage;

public sealed partial class StorageApplier
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Volume {Id}: created {Path} ({Bytes} bytes)")]
    private partial void LogCreated(string id, string path, long bytes);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Volume {Id}: cannot serve: {Error}")]
    private partial void LogServeFailed(string id, string error);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Volume {Id}: no longer desired, stopping its storage daemon (pid {Pid})")]
    private partial void LogStopped(string id, int pid);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Volume {Id}: kept its data file {Path}; delete it by hand if the volume is really gone")]
    private partial void LogKeptFile(string id, string path);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Volume {Id}: storage daemon (pid {Pid}) died; serving it again")]
    private partial void LogDaemonDied(string id, int pid);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Volume {Id}: purged (deleted by the operator), removed {Path}")]
    private partial void LogPurgedFile(string id, string path);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "Volume {Id}: purge refused for now: {Reason}")]
    private partial void LogPurgeRefused(string id, string reason);
}
