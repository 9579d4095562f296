using System.Buffers;
using Google.Protobuf;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Client;

internal interface ICallStatus
{
    Status? Status { get; }
    RpcException? StatusError();
    CancellationToken CallToken { get; }
}

/// <summary>Writes request messages onto the HTTP/2 request stream; each WriteAsync waits for the
/// stream's flow-control window, so a slow server slows the writer down.</summary>
internal sealed class ClientRequestStream<T>(StreamingContent content, int maxSendSize, ICallStatus call, ArrayPool<byte> pool) : IClientStreamWriter<T> where T : class, IMessage<T>
{
    bool _completed;

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        if (_completed) throw new InvalidOperationException("The request stream was already completed; no more messages can be written.");
        if (call.Status is not null) throw call.StatusError()!;
        var size = message.CalculateSize();
        if (size > maxSendSize)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message exceeds the maximum configured message size ({size} > {maxSendSize} bytes)."));
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CallToken) : null;
        var token = linked?.Token ?? call.CallToken;
        var length = GrpcFrame.HeaderSize + size;
        var buffer = pool.Rent(length);
        try
        {
            var stream = await content.StreamTask.WaitAsync(token).ConfigureAwait(false);
            GrpcFrame.WriteHeader(buffer, false, size);
            message.WriteTo(buffer.AsSpan(GrpcFrame.HeaderSize, size));
            await stream.WriteAsync(buffer.AsMemory(0, length), token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            if (call.Status is not null) throw call.StatusError()!;
            if (call.CallToken.IsCancellationRequested) throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled or passed its deadline while writing."));
            throw new RpcException(new Status(StatusCode.Unavailable, $"Writing the request stream failed: {e.Message}"));
        }
        finally { pool.Return(buffer); }
    }

    public Task CompleteAsync()
    {
        _completed = true;
        content.Complete();
        return Task.CompletedTask;
    }
}

internal sealed class ClientResponseStream<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class, IMessage<TRequest> where TResponse : class, IMessage<TResponse>
{
    TResponse? _current;

    public TResponse Current => _current ?? throw new InvalidOperationException("Call MoveNext and check it returned true before reading Current.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        _current = await call.ReadNextAsync(cancellationToken).ConfigureAwait(false);
        return _current is not null;
    }
}
