using Google.Protobuf;
using Infra.Grpc.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Grpc.Server;

internal interface IServerMethodHandler
{
    string Path { get; }
    MethodType Type { get; }
    Task HandleAsync(HttpContext http);
}

/// <summary>
/// Runs one RPC on one HTTP request: checks the protocol headers, runs the typed body (which reads
/// requests, calls the service and writes responses), and turns every outcome into a status:
/// RpcException keeps its status, a passed deadline is DEADLINE_EXCEEDED, a client reset is
/// CANCELLED, and any other exception is UNKNOWN without leaking details unless configured.
/// </summary>
internal sealed class ServerMethodHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method, GrpcServerOptions options, Func<IServiceProvider, HttpServerCall, Task> body) : IServerMethodHandler
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
{
    ILogger? _logger;

    public string Path => method.FullName;
    public MethodType Type => method.Type;

    /// <summary>Kestrel's request-body limits are for uploads: 30 MB total and a minimum data rate
    /// that would end an idle stream after a few seconds. A long-lived request stream (e.g. an agent's
    /// southbound stream) must have neither; per-message size is limited by MaxReceiveMessageSize.</summary>
    static void LiftBodyLimits(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
    }

    public async Task HandleAsync(HttpContext http)
    {
        var logger = _logger ??= http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Infra.Grpc.Server") ?? NullLogger.Instance;
        var request = http.Request;
        if (!GrpcHeaders.IsGrpcContentType(request.ContentType))
        {
            ServerLog.UnsupportedContentType(logger, method.FullName, request.ContentType);
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            http.Response.Headers[GrpcHeaders.Status] = ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.Headers[GrpcHeaders.Message] = StatusMessage.Encode($"Content-Type '{request.ContentType}' is not supported; gRPC requires application/grpc.");
            return;
        }

        http.Response.ContentType = GrpcHeaders.ContentType;
        if (method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming) LiftBodyLimits(http);
        using var call = new HttpServerCall(http, method.FullName, options);
        var encoding = request.Headers[GrpcHeaders.Encoding].ToString();
        if (encoding.Length > 0 && encoding != GrpcHeaders.Identity)
        {
            http.Response.Headers[GrpcHeaders.AcceptEncoding] = GrpcHeaders.Identity;
            call.SetStatus(new Status(StatusCode.Unimplemented, $"Request compression '{encoding}' is not supported; this server accepts identity only."), null);
            return;
        }

        Status status;
        Metadata? extra = null;
        try
        {
            await body(http.RequestServices, call).ConfigureAwait(false);
            status = call.DeadlineExceeded ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : call.Context.Status;
        }
        catch (RpcException e)
        {
            status = call.DeadlineExceeded && e.StatusCode == StatusCode.Cancelled ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : e.Status;
            extra = e.Trailers;
            if (e.StatusCode is StatusCode.Internal or StatusCode.ResourceExhausted) ServerLog.CallFailed(logger, method.FullName, e.StatusCode, e.Status.Detail);
        }
        catch (Exception e) when (call.DeadlineExceeded)
        {
            ServerLog.DeadlineExceeded(logger, method.FullName, e.GetType().Name);
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            ServerLog.ClientCancelled(logger, method.FullName);
            return; // the stream is reset; nothing can reach the client any more
        }
        catch (Exception e)
        {
            ServerLog.HandlerThrew(logger, method.FullName, e);
            status = new Status(StatusCode.Unknown, options.EnableDetailedErrors ? $"Exception was thrown by handler. {e.GetType().Name}: {e.Message}" : "Exception was thrown by handler.");
        }

        if (http.RequestAborted.IsCancellationRequested) return;
        try { call.SetStatus(status, extra); }
        catch (InvalidOperationException e) { ServerLog.StatusNotSent(logger, method.FullName, e.Message); }
    }
}
