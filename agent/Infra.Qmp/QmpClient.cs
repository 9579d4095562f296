using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Infra.Qmp.Codec;
using Microsoft.Extensions.Logging;

namespace Infra.Qmp;

/// <summary>
/// A QMP connection to qemu or qemu-storage-daemon. Model: one read loop parses frames and routes
/// replies to pending calls by id and events to subscribers; one write loop drains a channel of
/// encoded commands, so callers never interleave bytes. When the stream ends or fails, every pending
/// call fails with <see cref="QmpConnectionClosedException"/> and every subscription completes.
/// </summary>
public sealed partial class QmpClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly QmpClientOptions _options;
    private readonly ILogger _log;
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource<QmpGreeting> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private Exception? _closeReason;
    private Task _readLoop = Task.CompletedTask, _writeLoop = Task.CompletedTask;

    private sealed record Pending(string Command, TaskCompletionSource<QmpMessage> Reply);

    private QmpClient(Stream stream, QmpClientOptions options, ILogger log)
    {
        _stream = stream; _options = options; _log = log;
    }

    /// <summary>The server's greeting (qemu version, capabilities).</summary>
    public QmpGreeting Greeting { get; private set; } = null!;

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion => _closed.Task;

    public bool IsConnected => !_closed.Task.IsCompleted;

    /// <summary>Runs a command and returns its "return" value.</summary>
    /// <exception cref="QmpCommandException">the server replied with an error</exception>
    /// <exception cref="QmpTimeoutException">no reply within the timeout</exception>
    /// <exception cref="QmpConnectionClosedException">the connection closed first</exception>
    public async Task<JsonElement> ExecuteAsync(string command, object? arguments = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var id = "c" + Interlocked.Increment(ref _nextId);
        var pending = new Pending(command, new(TaskCreationOptions.RunContinuationsAsynchronously));
        var bytes = QmpCommandEncoder.Encode(command, arguments, id);
        _pending[id] = pending;
        try
        {
            if (_closed.Task.IsCompleted || !_outgoing.Writer.TryWrite(bytes)) throw Closed();
            var limit = timeout ?? _options.DefaultTimeout;
            QmpMessage reply;
            using (var timer = new CancellationTokenSource(limit, _options.TimeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token))
            {
                try { reply = await pending.Reply.Task.WaitAsync(linked.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    LogTimeout(_log, command, id);
                    throw new QmpTimeoutException(command, limit);
                }
            }
            return reply switch
            {
                QmpReturn r => r.Value,
                QmpError e => throw new QmpCommandException(command, e.Class, e.Desc),
                _ => throw new QmpProtocolException($"unexpected reply to {command}: {reply.GetType().Name}"),
            };
        }
        finally { _pending.TryRemove(id, out _); }
    }

    /// <summary>Runs a command and deserialises its return value (kebab-case names map to PascalCase).</summary>
    public async Task<T> ExecuteAsync<T>(string command, object? arguments = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var value = await ExecuteAsync(command, arguments, timeout, ct).ConfigureAwait(false);
        return value.Deserialize<T>(ResultOptions)
            ?? throw new QmpProtocolException($"reply to {command} is null, expected {typeof(T).Name}");
    }

    internal static readonly JsonSerializerOptions ResultOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        PropertyNameCaseInsensitive = true,
    };

    private QmpConnectionClosedException Closed() =>
        new("QMP connection is closed" + (_closeReason is null ? "" : $": {_closeReason.Message}"), _closeReason);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _shutdown.Cancel();
        _outgoing.Writer.TryComplete();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false); } catch { /* reported via Close */ }
        Close(new ObjectDisposedException(nameof(QmpClient)));
        _shutdown.Dispose();
    }
}
