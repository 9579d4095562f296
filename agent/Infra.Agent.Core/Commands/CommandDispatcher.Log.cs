using Microsoft.Extensions.Logging;

namespace Infra.Agent.Core.Commands;

public sealed partial class CommandDispatcher
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Command {Id}: {Op} started")]
    private partial void LogStarted(string id, string op);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Command {Id}: finished ({Outcome})")]
    private partial void LogFinished(string id, string outcome);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Command {Id}: already running; the repeated command is ignored")]
    private partial void LogDuplicate(string id);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Command {Id}: cancel requested")]
    private partial void LogCancelRequested(string id);
}
