using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Commands;

public sealed partial class HostCommands
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Snapshot {Ids}: {Count} volume(s) cut, quiesced {Quiesced}, window {WindowUs} us ({How})")]
    private partial void LogSnapshot(string ids, int count, bool quiesced, ulong windowUs, string how);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information, Message = "Export {Source}: {Bytes} bytes sent in {Ms:0} ms")]
    private partial void LogExported(string source, ulong bytes, double ms);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Export {Source}: folding the temporary cut {Overlay} back failed: {Error}; it stays in the chain (harmless, reclaimed by hand)")]
    private partial void LogFoldFailed(string source, string overlay, string error);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Snapshot {Id} of volume {Volume} deleted (committed into {Into})")]
    private partial void LogDeleted(string id, string volume, string into);
}
