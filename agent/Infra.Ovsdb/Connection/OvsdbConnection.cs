using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Infra.Ovsdb.Codec;
using Infra.Ovsdb.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Ovsdb.Connection;

/// <summary>
/// One JSON-RPC session with ovsdb-server over a stream. Model: one read loop decodes frames and
/// completes pending calls by id (or hands notifications to the owner); one write loop drains a
/// channel of encoded messages, so callers never interleave bytes. The server's "echo" requests are
/// answered here; when the line is idle we send our own echo and close the session if it goes
/// unanswered. Whatever ends the session (EOF, bad frame, probe timeout, Dispose), every pending call
/// fails with <see cref="OvsdbConnectionClosedException"/> and <see cref="Completion"/> finishes.
/// </summary>
public sealed partial class OvsdbConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly OvsdbConnectionOptions _options;
    private readonly Action<string, JsonElement>? _onNotification;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private long _lastInboundTicks;
    private Task _loops = Task.CompletedTask;

    // Inline runs on the read loop before any later message is dispatched (monitor replies must be applied before their first update).
    private sealed record Pending(string Method, TaskCompletionSource<JsonElement> Tcs, Action<JsonElement>? Inline);

    public OvsdbConnection(Stream stream, OvsdbConnectionOptions? options = null, Action<string, JsonElement>? onNotification = null,
        ILogger? logger = null, TimeProvider? time = null)
    {
        _options = options ?? new();
        var errors = _options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid OVSDB connection options: " + string.Join(" ", errors), nameof(options));
        _stream = stream;
        _onNotification = onNotification;
        _log = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Finishes when the session ends; the result is the reason (null on Dispose).</summary>
    public Task<Exception?> Completion => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    public static async Task<OvsdbConnection> ConnectAsync(OvsdbEndpoint endpoint, OvsdbConnectionOptions? options = null,
        Action<string, JsonElement>? onNotification = null, ILogger? logger = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var stream = await endpoint.ConnectAsync(ct).ConfigureAwait(false);
        var c = new OvsdbConnection(stream, options, onNotification, logger, time);
        c.Start();
        return c;
    }

    public void Start()
    {
        _lastInboundTicks = _time.GetTimestamp();
        var loops = new List<Task> { Task.Run(ReadLoopAsync), Task.Run(WriteLoopAsync) };
        if (_options.IdleProbeInterval > TimeSpan.Zero) loops.Add(Task.Run(ProbeLoopAsync));
        _loops = Task.WhenAll(loops);
    }

    /// <summary>Sends a request and returns its "result" element.</summary>
    public Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken ct, TimeSpan? timeout = null) =>
        CallAsync(method, writeParams, null, ct, timeout);

    /// <summary>As CallAsync; <paramref name="inline"/> sees the result on the read loop, in order with notifications.</summary>
    public async Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter> writeParams, Action<JsonElement>? inline, CancellationToken ct, TimeSpan? timeout = null)
    {
        if (IsClosed) throw new OvsdbConnectionClosedException($"OVSDB connection is closed; cannot call {method}.", _closed.Task.Result);
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = new Pending(method, tcs, inline);
        // Re-check after registering: Close() may have swept the table between the first check and the add.
        if (IsClosed && _pending.TryRemove(id, out _)) throw new OvsdbConnectionClosedException($"OVSDB connection is closed; cannot call {method}.");
        using var timeoutCts = new CancellationTokenSource(timeout ?? _options.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        using var reg = linked.Token.Register(() =>
        {
            if (_pending.TryRemove(id, out var p))
                p.Tcs.TrySetException(timeoutCts.IsCancellationRequested && !ct.IsCancellationRequested
                    ? new TimeoutException($"OVSDB {method} got no reply within {timeout ?? _options.CallTimeout}.")
                    : new OperationCanceledException(ct));
        });
        if (!_outbound.Writer.TryWrite(JsonRpcMessage.EncodeRequest(method, id, writeParams)) && _pending.TryRemove(id, out _))
            throw new OvsdbConnectionClosedException($"OVSDB connection is closed; cannot call {method}.");
        return await tcs.Task.ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var buf = new byte[64 * 1024];
        int filled = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (filled == buf.Length)
                {
                    if (buf.Length >= _options.MaxFrameBytes) throw new OvsdbFormatException($"JSON-RPC message exceeds {_options.MaxFrameBytes} bytes.");
                    Array.Resize(ref buf, Math.Min(buf.Length * 2, _options.MaxFrameBytes));
                }
                var n = await _stream.ReadAsync(buf.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                if (n == 0) { Close(new OvsdbConnectionClosedException(filled > 0 ? "OVSDB server closed the connection in the middle of a message." : "OVSDB server closed the connection.")); return; }
                filled += n;
                Interlocked.Exchange(ref _lastInboundTicks, _time.GetTimestamp());
                int offset = 0;
                while (JsonRpcFramer.TryFindFrame(buf.AsSpan(offset, filled - offset), out var start, out var len, _options.MaxFrameBytes))
                {
                    Dispatch(JsonRpcMessage.Parse(buf.AsSpan(offset + start, len)));
                    offset += start + len;
                }
                if (offset > 0) { Buffer.BlockCopy(buf, offset, buf, 0, filled - offset); filled -= offset; }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception ex)
        {
            Close(ex as OvsdbFormatException as Exception ?? new OvsdbConnectionClosedException($"OVSDB connection failed while reading: {ex.Message}", ex));
        }
    }

    private void Dispatch(JsonRpcMessage m)
    {
        if (m.IsResponse)
        {
            if (long.TryParse(m.IdJson, out var id) && _pending.TryRemove(id, out var p))
            {
                if (m.HasError) p.Tcs.TrySetException(new OvsdbRpcException(p.Method, m.Error));
                else
                {
                    try { p.Inline?.Invoke(m.Result); p.Tcs.TrySetResult(m.Result); }
                    catch (Exception ex) { p.Tcs.TrySetException(ex); }
                }
            }
            return;
        }
        if (m.Method == "echo" && m.IdJson is not null)
        {
            _outbound.Writer.TryWrite(JsonRpcMessage.EncodeResponse(m.IdJson, m.Params));
            return;
        }
        if (m.IsNotification)
        {
            try { _onNotification?.Invoke(m.Method!, m.Params); }
            catch (Exception ex) { LogNotificationFailed(_log, m.Method!, ex); }
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var msg in _outbound.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await _stream.WriteAsync(msg, _stop.Token).ConfigureAwait(false);
                if (!_outbound.Reader.TryPeek(out _)) await _stream.FlushAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception ex) { Close(new OvsdbConnectionClosedException($"OVSDB connection failed while writing: {ex.Message}", ex)); }
    }

    private async Task ProbeLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(_options.IdleProbeInterval, _time, _stop.Token).ConfigureAwait(false);
                var idle = _time.GetElapsedTime(Interlocked.Read(ref _lastInboundTicks));
                if (idle < _options.IdleProbeInterval) continue;
                try { await CallAsync("echo", _ => { }, _stop.Token, _options.ProbeTimeout).ConfigureAwait(false); }
                catch (TimeoutException)
                {
                    LogProbeTimeout(_log, _options.ProbeTimeout);
                    Close(new OvsdbConnectionClosedException($"OVSDB server did not answer an echo within {_options.ProbeTimeout}; connection presumed dead."));
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (OvsdbConnectionClosedException) { }
    }

    private void Close(Exception? reason)
    {
        if (!_closed.TrySetResult(reason)) return;
        if (reason is not null) LogClosed(_log, reason.Message);
        _stop.Cancel();
        _outbound.Writer.TryComplete();
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var p))
                p.Tcs.TrySetException(new OvsdbConnectionClosedException($"OVSDB connection closed before {p.Method} completed: {reason?.Message ?? "disposed"}", reason));
        try { _stream.Dispose(); } catch { /* already broken */ }
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        try { await _loops.ConfigureAwait(false); } catch { /* loops report through Completion */ }
        _stop.Dispose();
    }
}
