using System.Buffers;
using System.Net;
using Google.Protobuf;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Client;

/// <summary>A single request message, serialized into a pooled buffer when the handler asks for it.</summary>
internal sealed class UnaryContent(IMessage message, int size, ArrayPool<byte> pool) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var length = GrpcFrame.HeaderSize + size;
        var buffer = pool.Rent(length);
        try
        {
            GrpcFrame.WriteHeader(buffer, false, size);
            message.WriteTo(buffer.AsSpan(GrpcFrame.HeaderSize, size));
            await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally { pool.Return(buffer); }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

    protected override bool TryComputeLength(out long length) { length = 0; return false; }
}

/// <summary>A request body that stays open while the caller writes messages: SocketsHttpHandler hands
/// us the HTTP/2 request stream, and the body ends (END_STREAM) when the caller completes it.</summary>
internal sealed class StreamingContent : HttpContent
{
    readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> StreamTask => _stream.Task;

    public void Complete() => _complete.TrySetResult();

    /// <summary>The call ended before or while writing: release the writer and the handler.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _complete.TrySetResult();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        // The handler cancels this token when the stream is reset; never outlive the call.
        await _complete.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

    protected override bool TryComputeLength(out long length) { length = 0; return false; }
}
