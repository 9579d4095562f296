using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class AgentSessionService
{
    static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "rejected Hello from {Peer}: {Errors}")]
        public static partial void HelloRejected(ILogger log, string peer, string errors);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "host {HostId} connected (session {SessionId}, agent holds v{AppliedVersion}, peer {Peer})")]
        public static partial void SessionStarted(ILogger log, string hostId, string sessionId, ulong appliedVersion, string peer);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "host {HostId} session {SessionId} ended")]
        public static partial void SessionEnded(ILogger log, string hostId, string sessionId);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "host {HostId} session {SessionId} failed: {Error}")]
        public static partial void SessionFailed(ILogger log, string hostId, string sessionId, string error);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "host {HostId}: desired state at store revision {Revision} does not compile, agent kept on its last version: {Error}")]
        public static partial void BuildFailed(ILogger log, string hostId, long revision, string error);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "host {HostId}: {Problem}")]
        public static partial void BuildProblem(ILogger log, string hostId, string problem);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "host {HostId}: sent desired v{Version} (full={Full}, {Upserts} upserts, {Removals} removals) from store revision {Revision}")]
        public static partial void DesiredSent(ILogger log, string hostId, ulong version, bool full, int upserts, int removals, long revision);

        [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "host {HostId} nacked v{Version}: {Error} ({Count} objects failed)")]
        public static partial void Nacked(ILogger log, string hostId, ulong version, string error, int count);

        [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "host {HostId} session {SessionId}: removing its session directory entry failed (it expires with this replica's lease): {Error}")]
        public static partial void WithdrawFailed(ILogger log, string hostId, string sessionId, string error);

        [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "host {HostId} sent a result for command {CommandId}, which is not pending here (finished, cancelled or never issued)")]
        public static partial void UnsolicitedCommandResult(ILogger log, string hostId, string commandId);
    }
}
