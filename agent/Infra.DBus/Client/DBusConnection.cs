using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Infra.DBus.Transport;
using Infra.DBus.Wire;
using Microsoft.Extensions.Logging;

namespace Infra.DBus.Client;

/// <summary>
/// A client connection to a message bus. Model: one read loop decodes frames and dispatches them
/// (replies to pending calls by serial, signals to match handlers, method calls to exported objects);
/// one write loop drains a Channel of encoded frames, so callers never share the socket. When either
/// loop ends, the connection closes once and every pending call fails with
/// <see cref="DBusConnectionClosedException"/>.
/// </summary>
public sealed partial class DBusConnection : IAsyncDisposable
{
    readonly Socket _socket;
    readonly DBusConnectionOptions _options;
    readonly ILogger _log;
    readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    readonly ConcurrentDictionary<uint, TaskCompletionSource<DBusMessage>> _pending = new();
    readonly CancellationTokenSource _closing = new();
    readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _serial;
    int _closeOnce;
    Task _readLoop = Task.CompletedTask, _writeLoop = Task.CompletedTask;

    DBusConnection(Socket socket, DBusConnectionOptions options)
    {
        _socket = socket;
        _options = options;
        _log = options.Logger;
    }

    /// <summary>Unique bus name from Hello, e.g. ":1.42".</summary>
    public string UniqueName { get; private set; } = "";

    /// <summary>Server GUID from the SASL OK line.</summary>
    public string ServerGuid { get; private set; } = "";

    public bool UnixFdsNegotiated { get; private set; }

    /// <summary>Completes when the connection has closed; the result is the reason (null when disposed).</summary>
    public Task<Exception?> Closed => _closed.Task;

    public bool IsClosed => Volatile.Read(ref _closeOnce) != 0;

    /// <summary>Connects to the first reachable entry of the address, authenticates and says Hello.</summary>
    public static async Task<DBusConnection> ConnectAsync(DBusConnectionOptions options, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.ConnectTimeout);
        Exception? last = null;
        foreach (var entry in DBusAddress.ParseAll(options.Address))
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            DBusConnection? conn = null;
            try
            {
                await socket.ConnectAsync(entry.ToEndPoint(), cts.Token);
                conn = new DBusConnection(socket, options);
                var leftover = await conn.AuthenticateAsync(entry.Guid, cts.Token);
                conn.Start(leftover);
                var hello = await conn.CallAsync(DBusMessage.MethodCall(BusNames.Daemon, BusNames.DaemonPath, BusNames.DaemonInterface, "Hello"),
                    options.ConnectTimeout, cts.Token);
                conn.UniqueName = (string)hello.Body[0];
                DBusConnectionLog.Connected(conn._log, options.Address, conn.UniqueName, conn.UnixFdsNegotiated);
                return conn;
            }
            catch (Exception e) when (e is SocketException or DBusException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                last = e is OperationCanceledException ? new DBusTimeoutException($"connecting to '{entry.Transport}' bus timed out after {options.ConnectTimeout}") : e;
                if (conn is not null) await conn.DisposeAsync(); else socket.Dispose();
            }
            catch
            {
                if (conn is not null) await conn.DisposeAsync(); else socket.Dispose();
                throw;
            }
        }
        throw new DBusConnectionClosedException($"could not connect to D-Bus at '{options.Address}': {last?.Message}", last);
    }

    async Task<byte[]> AuthenticateAsync(string? expectedGuid, CancellationToken ct)
    {
        var pending = new List<byte>();
        // The leading NUL byte is where credentials would travel on BSDs; Linux uses SO_PEERCRED.
        await SendLineAsync("\0" + SaslExternal.AuthCommand(SaslExternal.CurrentUid()), ct);
        var ok = SaslExternal.Parse(await ReadLineAsync(pending, ct));
        if (ok.Kind != SaslExternal.ReplyKind.Ok)
            throw new DBusAuthenticationException($"the bus refused SASL EXTERNAL for uid {SaslExternal.CurrentUid()} ({ok.Kind} {ok.Argument}); check the bus policy allows this user");
        if (expectedGuid is not null && !string.Equals(ok.Argument, expectedGuid, StringComparison.OrdinalIgnoreCase))
            throw new DBusAuthenticationException($"server GUID {ok.Argument} differs from the address's guid {expectedGuid}");
        ServerGuid = ok.Argument;
        if (_options.NegotiateUnixFds)
        {
            await SendLineAsync(SaslExternal.NegotiateUnixFd, ct);
            UnixFdsNegotiated = SaslExternal.Parse(await ReadLineAsync(pending, ct)).Kind == SaslExternal.ReplyKind.AgreeUnixFd;
        }
        await SendLineAsync(SaslExternal.Begin, ct);
        return pending.ToArray();
    }

    async Task SendLineAsync(string line, CancellationToken ct) =>
        await _socket.SendAsync(Encoding.ASCII.GetBytes(line + "\r\n"), SocketFlags.None, ct);

    async Task<string> ReadLineAsync(List<byte> pending, CancellationToken ct)
    {
        var chunk = new byte[256];
        for (int rounds = 0; rounds < 64; rounds++)
        {
            for (int i = 1; i < pending.Count; i++)
            {
                if (pending[i - 1] != '\r' || pending[i] != '\n') continue;
                var line = Encoding.ASCII.GetString(pending.GetRange(0, i - 1).ToArray());
                pending.RemoveRange(0, i + 1);
                return line;
            }
            int n = await _socket.ReceiveAsync(chunk, SocketFlags.None, ct);
            if (n == 0) throw new DBusAuthenticationException("the bus closed the connection during authentication");
            pending.AddRange(chunk.AsSpan(0, n).ToArray());
        }
        throw new DBusAuthenticationException("authentication line longer than 16 KiB");
    }

    void Start(byte[] leftover)
    {
        _readLoop = Task.Run(() => ReadLoopAsync(leftover));
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    uint NextSerial()
    {
        uint s = (uint)Interlocked.Increment(ref _serial);
        return s == 0 ? (uint)Interlocked.Increment(ref _serial) : s;
    }

    /// <summary>Closes the connection once: fails pending calls, stops both loops, releases the socket.</summary>
    void Close(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closeOnce, 1) != 0) return;
        DBusConnectionLog.Closed(_log, UniqueName, reason?.Message ?? "disposed");
        _outbox.Writer.TryComplete();
        _closing.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
        var error = new DBusConnectionClosedException(
            reason is null ? "the D-Bus connection was closed" : $"the D-Bus connection closed: {reason.Message}", reason);
        foreach (var serial in _pending.Keys)
            if (_pending.TryRemove(serial, out var tcs)) tcs.TrySetException(error);
        _closed.TrySetResult(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        try { await Task.WhenAll(_readLoop, _writeLoop); } catch { /* loops report through Close */ }
        _closing.Dispose();
    }
}
