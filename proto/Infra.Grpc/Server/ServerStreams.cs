using Google.Protobuf;

namespace Infra.Grpc.Server;

internal sealed class ServerRequestStream<T>(HttpServerCall call, MessageParser<T> parser) : IAsyncStreamReader<T> where T : class, IMessage<T>
{
    T? _current;

    public T Current => _current ?? throw new InvalidOperationException("Call MoveNext and check it returned true before reading Current.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : call.CancellationToken;
        _current = await call.ReadMessageAsync(parser, token).ConfigureAwait(false);
        return _current is not null;
    }
}

internal sealed class ServerResponseStream<T>(HttpServerCall call) : IServerStreamWriter<T> where T : class, IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default) =>
        call.WriteMessageAndFlushAsync(message, cancellationToken.CanBeCanceled ? cancellationToken : call.CancellationToken);
}
