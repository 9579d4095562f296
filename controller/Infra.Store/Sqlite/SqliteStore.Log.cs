using Microsoft.Extensions.Logging;

namespace Infra.Store.Sqlite;

public sealed partial class SqliteStore
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Store opened at {Path}, revision {Revision}, compacted up to {CompactRevision}")]
    private static partial void LogOpened(ILogger logger, string path, long revision, long compactRevision);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Lease {LeaseId:x} expired; its keys were deleted")]
    private static partial void LogLeaseExpired(ILogger logger, long leaseId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Reaping expired leases failed; will retry on the next tick")]
    private static partial void LogLeaseReapFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Store compacted up to revision {Revision}")]
    private static partial void LogCompacted(ILogger logger, long revision);
}
