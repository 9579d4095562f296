using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Infra.Qmp.Codec;

namespace Infra.Qmp.GuestAgent;

/// <summary>
/// Client of qemu-guest-agent over the host side of its virtio-serial chardev. Unlike QMP, the agent
/// sends no greeting, echoes no ids and may not be running at all: the socket (qemu's) accepts us
/// either way. So calls run one at a time, and before the first call (and after any timeout) the
/// client resynchronises: it sends 0xFF, which makes the agent drop any half-read input, then
/// guest-sync-delimited with a random id, and discards every reply until the one carrying that id.
/// Stale replies from timed-out calls cannot then be mistaken for fresh ones.
/// </summary>
public sealed partial class GuestAgentClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly GuestAgentOptions _options;
    private readonly Channel<QmpMessage> _incoming = Channel.CreateUnbounded<QmpMessage>(new() { SingleWriter = true });
    private readonly SemaphoreSlim _callLock = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _readLoop;
    private bool _synced;

    private GuestAgentClient(Stream stream, GuestAgentOptions options)
    {
        _stream = stream; _options = options;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Connects to the chardev socket. Succeeds even when no agent runs in the guest.</summary>
    public static async Task<GuestAgentClient> ConnectAsync(string socketPath, GuestAgentOptions? options = null,
        CancellationToken ct = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false); }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new QmpConnectionClosedException($"cannot connect to guest agent socket {socketPath}: {e.Message}; is the VM running with a guest agent channel?", e);
        }
        return new GuestAgentClient(new NetworkStream(socket, ownsSocket: true), options ?? new GuestAgentOptions());
    }

    public static GuestAgentClient Over(Stream stream, GuestAgentOptions? options = null) =>
        new(stream, options ?? new GuestAgentOptions());

    /// <summary>guest-sync-delimited round trip; returns when the agent is in step with us.</summary>
    public async Task SyncAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await _callLock.WaitAsync(ct).ConfigureAwait(false);
        try { await SyncLockedAsync(timeout ?? _options.SyncTimeout, ct).ConfigureAwait(false); }
        finally { _callLock.Release(); }
    }

    /// <summary>guest-ping: succeeds if the agent answers.</summary>
    public Task PingAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync("guest-ping", timeout, ct);

    /// <summary>Runs any agent command and returns its "return" value.</summary>
    public async Task<JsonElement> CallAsync(string command, TimeSpan? timeout = null, CancellationToken ct = default,
        object? arguments = null)
    {
        await _callLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_synced) await SyncLockedAsync(_options.SyncTimeout, ct).ConfigureAwait(false);
            await WriteAsync(QmpCommandEncoder.Encode(command, arguments, id: null), ct).ConfigureAwait(false);
            var reply = await ReceiveAsync(command, timeout ?? _options.CommandTimeout, _ => true, ct).ConfigureAwait(false);
            return reply switch
            {
                QmpReturn r => r.Value,
                QmpError e => throw new QmpCommandException(command, e.Class, e.Desc),
                _ => throw new QmpProtocolException($"unexpected reply to {command}"),
            };
        }
        finally { _callLock.Release(); }
    }

    private async Task SyncLockedAsync(TimeSpan timeout, CancellationToken ct)
    {
        _synced = false;
        while (_incoming.Reader.TryRead(out _)) { } // anything queued now is stale
        var id = Random.Shared.NextInt64(1, int.MaxValue);
        var bytes = QmpCommandEncoder.Encode("guest-sync-delimited", new Dictionary<string, object> { ["id"] = id }, null,
            leadingSentinel: true);
        await WriteAsync(bytes, ct).ConfigureAwait(false);
        await ReceiveAsync("guest-sync-delimited", timeout,
            m => m is QmpReturn r && r.Value.ValueKind == JsonValueKind.Number && r.Value.GetInt64() == id, ct).ConfigureAwait(false);
        _synced = true;
    }

    private async Task<QmpMessage> ReceiveAsync(string command, TimeSpan timeout, Func<QmpMessage, bool> accept,
        CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            while (await _incoming.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                while (_incoming.Reader.TryRead(out var m))
                    if (m is QmpReturn or QmpError && accept(m)) return m;
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            _synced = false;
            throw new GuestAgentTimeoutException(command, timeout);
        }
        throw new QmpConnectionClosedException($"guest agent channel closed during {command}");
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e) { throw new QmpConnectionClosedException($"guest agent channel closed: {e.Message}", e); }
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (JsonLineFramer.TryReadFrame(ref buffer, out var frame, _options.MaxFrameBytes) is var s && s != FrameStatus.Incomplete)
                {
                    if (s == FrameStatus.TooLarge) throw new QmpProtocolException("guest agent sent an oversized frame");
                    // A guest can write anything to its end of the channel: skip what does not parse.
                    try { _incoming.Writer.TryWrite(QmpMessage.Parse(frame)); } catch (QmpProtocolException) { }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) { error = e; }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            // Callers see a closed channel as the typed close exception, whatever broke it.
            _incoming.Writer.TryComplete(error is null or OperationCanceledException
                ? null : new QmpConnectionClosedException($"guest agent channel failed: {error.Message}", error));
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _shutdown.Cancel();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { await _readLoop.ConfigureAwait(false); } catch { }
        _shutdown.Dispose();
    }
}
