using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Infra.Controller.Api.Plumbing;
using Infra.Controller.Domain.Audit;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Controller.Api.Audit;

/// <summary>
/// Records every mutating call (<see cref="AuditedMethods"/>) once it has ended, with its outcome:
/// OK, or the status code of the failure (a validation error, NOT_FOUND, PERMISSION_DENIED from
/// authorization). The principal is read after the call, so the interceptor works wherever it sits
/// relative to authentication; a call that never got a principal (no or a bad credential) is not
/// recorded, so anonymous callers cannot fill the store. The record is written before the caller
/// sees the result; if the write fails the call's own result still goes back and the failure is logged.
/// Streams: the first request message is kept for its ids (ImportImage's header, Console's open).
/// </summary>
public sealed partial class AuditInterceptor(AuditTrail trail, TimeProvider time, ILogger<AuditInterceptor> log) : Interceptor
{
    public const int MaxDetailLength = 512;

    /// <summary>How long a record write may take before it is given up (and logged).</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!AuditedMethods.IsAudited(context.Method)) return await continuation(request, context);
        var start = time.GetUtcNow();
        TResponse response;
        try
        {
            response = await continuation(request, context);
        }
        catch (Exception e)
        {
            await RecordAsync(context, start, e, request as IMessage);
            throw;
        }
        await RecordAsync(context, start, null, request as IMessage, response as IMessage);
        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!AuditedMethods.IsAudited(context.Method)) return await continuation(requestStream, context);
        var start = time.GetUtcNow();
        var reader = new FirstMessage<TRequest>(requestStream);
        TResponse response;
        try
        {
            response = await continuation(reader, context);
        }
        catch (Exception e)
        {
            await RecordAsync(context, start, e, reader.First as IMessage);
            throw;
        }
        await RecordAsync(context, start, null, reader.First as IMessage, response as IMessage);
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!AuditedMethods.IsAudited(context.Method)) { await continuation(request, responseStream, context); return; }
        var start = time.GetUtcNow();
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            await RecordAsync(context, start, e, request as IMessage);
            throw;
        }
        await RecordAsync(context, start, null, request as IMessage);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!AuditedMethods.IsAudited(context.Method)) { await continuation(requestStream, responseStream, context); return; }
        var start = time.GetUtcNow();
        var reader = new FirstMessage<TRequest>(requestStream);
        try
        {
            await continuation(reader, responseStream, context);
        }
        catch (Exception e)
        {
            await RecordAsync(context, start, e, reader.First as IMessage);
            throw;
        }
        await RecordAsync(context, start, null, reader.First as IMessage);
    }

    async Task RecordAsync(ServerCallContext context, DateTimeOffset start, Exception? failure, params IMessage?[] messages)
    {
        if (CallPrincipal.Find(context) is not { } principal) return;
        var (outcome, detail) = Outcome(failure, context);
        var record = new AuditRecord
        {
            Id = trail.NewId(start),
            Time = Timestamp.FromDateTimeOffset(start),
            Principal = principal.ToString(),
            Credential = principal.Credential,
            Method = context.Method,
            ObjectIds = { AuditFields.ObjectIds(messages) },
            Outcome = outcome,
            Detail = detail,
            Peer = context.Peer ?? "",
        };
        try
        {
            // Not the call's token: a cancelled or timed-out call is still recorded.
            using var cts = new CancellationTokenSource(WriteTimeout, time);
            await trail.WriteAsync(record, cts.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWriteFailed(log, record.Method, record.Principal, record.Outcome, e.Message);
        }
    }

    static (string Outcome, string Detail) Outcome(Exception? e, ServerCallContext context) => e switch
    {
        null => (AuditOutcome.Ok, ""),
        RpcException r => (AuditOutcome.Of((int)r.StatusCode), Cut(r.Status.Detail)),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => (AuditOutcome.Of((int)StatusCode.Cancelled), "the call was cancelled or its deadline passed"),
        // What Grpc.AspNetCore answers for an unhandled exception; the record keeps what the client is not shown.
        _ => (AuditOutcome.Of((int)StatusCode.Unknown), Cut($"{e.GetType().Name}: {e.Message}")),
    };

    static string Cut(string text) => text.Length <= MaxDetailLength ? text : text[..(MaxDetailLength - 1)] + "…";

    /// <summary>Passes a request stream through, keeping its first message.</summary>
    sealed class FirstMessage<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T? First { get; private set; }
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken);
            if (more && First is null) First = inner.Current;
            return more;
        }
    }
}
