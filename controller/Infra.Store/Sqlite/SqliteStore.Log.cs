using Microsoft.Extensions.Logging;

namespace Infra.Store.Sqlite;

public sealed partial class SqliteStore
{
    static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Store opened at {Path}, revision {Revision}, compacted up to {CompactRevision}")]
        public static partial void Opened(ILogger logger, string path, long revision, long compactRevision);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Lease {LeaseId:x} expired; its keys were deleted")]
        public static partial void LeaseExpired(ILogger logger, long leaseId);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Reaping expired leases failed; will retry on the next tick")]
        public static partial void LeaseReapFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Store compacted up to revision {Revision}")]
        public static partial void Compacted(ILogger logger, long revision);
    }
}
