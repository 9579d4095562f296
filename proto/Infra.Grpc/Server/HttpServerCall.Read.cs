using System.Buffers;
using Google.Protobuf;
using Infra.Grpc.Protocol;

namespace Infra.Grpc.Server;

internal sealed partial class HttpServerCall
{
    /// <summary>Reads the next request message, or null when the client half-closed cleanly.
    /// Malformed input becomes an RpcException with the status the spec asks for.</summary>
    public async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken) where T : class, IMessage<T>
    {
        var reader = Http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            switch (GrpcFrame.TryRead(ref buffer, _options.MaxReceiveMessageSize, out var payload, out var compressed, out var length))
            {
                case FrameReadResult.Complete:
                    try
                    {
                        if (compressed)
                            throw new RpcException(new Status(StatusCode.Internal, "Request message has the compressed flag set, but the request has no grpc-encoding; this server accepts only identity."));
                        return ParseOrThrow(parser, payload, "request");
                    }
                    finally { reader.AdvanceTo(buffer.Start); }
                case FrameReadResult.TooLarge:
                    reader.AdvanceTo(result.Buffer.Start);
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"Received message exceeds the maximum configured message size ({length} > {_options.MaxReceiveMessageSize} bytes)."));
                case FrameReadResult.InvalidFlag:
                    reader.AdvanceTo(result.Buffer.Start);
                    throw new RpcException(new Status(StatusCode.Internal, "Request message has an invalid compressed-flag byte (must be 0 or 1)."));
                default:
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        var left = buffer.Length;
                        reader.AdvanceTo(buffer.End);
                        if (left == 0) return null;
                        throw new RpcException(new Status(StatusCode.Internal,
                            $"Incomplete request message: the stream ended with {left} bytes of a partial message (length prefix or body truncated)."));
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }

    /// <summary>Unary and server-streaming calls: exactly one request message, then end of stream.</summary>
    public async ValueTask<T> ReadSingleAsync<T>(MessageParser<T> parser) where T : class, IMessage<T>
    {
        var message = await ReadMessageAsync(parser, CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "Request stream ended without a message; this method expects exactly one."));
        if (await ReadMessageAsync(parser, CancellationToken).ConfigureAwait(false) is not null)
            throw new RpcException(new Status(StatusCode.Internal, "Request stream has more than one message; this method expects exactly one."));
        return message;
    }

    internal static T ParseOrThrow<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, string what) where T : class, IMessage<T>
    {
        try { return parser.ParseFrom(payload); }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize {what} message: {e.Message}"));
        }
    }
}
