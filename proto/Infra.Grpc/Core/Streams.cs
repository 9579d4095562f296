using System.Runtime.CompilerServices;

namespace Infra.Grpc;

/// <summary>A stream of incoming messages, read one at a time; MoveNext returns false at the end.</summary>
public interface IAsyncStreamReader<out T>
{
    T Current { get; }
    Task<bool> MoveNext(CancellationToken cancellationToken = default);
}

/// <summary>A stream of outgoing messages. WriteAsync completes when the message is handed to HTTP/2,
/// which applies flow control: a slow reader slows the writer instead of growing a buffer.</summary>
public interface IAsyncStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T> { }

/// <summary>The client's request stream; CompleteAsync half-closes it (END_STREAM).</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    Task CompleteAsync();
}

public static class AsyncStreamReaderExtensions
{
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
            yield return reader.Current;
    }
}
