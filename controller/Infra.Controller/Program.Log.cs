using Microsoft.Extensions.Logging;

// The log lines of the top-level program (Program.cs), beside it as every Foo.Log.cs is.
partial class Program
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "controller ready on {Url} (store {Store}, node {NodeId})")]
    private static partial void LogReady(ILogger logger, string url, string store, string nodeId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "controller stopping: draining calls")]
    private static partial void LogStopping(ILogger logger);
}
