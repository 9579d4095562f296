using Microsoft.Extensions.Logging;

namespace Infra.Controller.Southbound.Session;

public sealed partial class AgentSessionService
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "rejected Hello from {Peer}: {Errors}")]
    private static partial void LogHelloRejected(ILogger log, string peer, string errors);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "host {HostId} connected (session {SessionId}, agent holds v{AppliedVersion}, peer {Peer})")]
    private static partial void LogSessionStarted(ILogger log, string hostId, string sessionId, ulong appliedVersion, string peer);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "host {HostId} session {SessionId} ended")]
    private static partial void LogSessionEnded(ILogger log, string hostId, string sessionId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "host {HostId} session {SessionId} failed: {Error}")]
    private static partial void LogSessionFailed(ILogger log, string hostId, string sessionId, string error);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "host {HostId}: desired state at store revision {Revision} does not compile, agent kept on its last version: {Error}")]
    private static partial void LogBuildFailed(ILogger log, string hostId, long revision, string error);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "host {HostId}: {Problem}")]
    private static partial void LogBuildProblem(ILogger log, string hostId, string problem);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "host {HostId}: sent desired v{Version} (full={Full}, {Upserts} upserts, {Removals} removals) from store revision {Revision}")]
    private static partial void LogDesiredSent(ILogger log, string hostId, ulong version, bool full, int upserts, int removals, long revision);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "host {HostId} nacked v{Version}: {Error} ({Count} objects failed)")]
    private static partial void LogNacked(ILogger log, string hostId, ulong version, string error, int count);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "host {HostId} session {SessionId}: removing its session directory entry failed (it expires with this replica's lease): {Error}")]
    private static partial void LogWithdrawFailed(ILogger log, string hostId, string sessionId, string error);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "host {HostId} sent a result for command {CommandId}, which is not pending here (finished, cancelled or never issued)")]
    private static partial void LogUnsolicitedCommandResult(ILogger log, string hostId, string commandId);
}
