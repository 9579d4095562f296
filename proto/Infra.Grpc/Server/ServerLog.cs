using Microsoft.Extensions.Logging;

namespace Infra.Grpc.Server;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "gRPC call {Method} rejected: content-type '{ContentType}' is not application/grpc")]
    public static partial void UnsupportedContentType(ILogger logger, string method, string? contentType);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "gRPC call {Method} failed with {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "gRPC call {Method} passed its deadline ({ExceptionType})")]
    public static partial void DeadlineExceeded(ILogger logger, string method, string exceptionType);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "gRPC call {Method} was cancelled by the client")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "gRPC method {Method} threw; the client gets UNKNOWN")]
    public static partial void HandlerThrew(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "gRPC call {Method}: could not send status: {Reason}")]
    public static partial void StatusNotSent(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "gRPC call to unknown method {Path}: UNIMPLEMENTED")]
    public static partial void Unimplemented(ILogger logger, string path);
}
