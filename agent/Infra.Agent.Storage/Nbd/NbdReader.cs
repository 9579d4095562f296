using System.Net.Sockets;

namespace Infra.Agent.Storage.Nbd;

/// <summary>
/// A read-only NBD client over a unix socket: the fixed newstyle handshake with NBD_OPT_GO, then
/// NBD_CMD_READ one request at a time (the export is paced by the controller's credit, so
/// pipelining would buy nothing). Used to stream a frozen image out of the storage daemon that
/// already has it open, without a temporary copy. Not thread-safe: one reader, one caller.
/// </summary>
public sealed class NbdReader : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _header = new byte[28];
    private ulong _cookie;

    private NbdReader(Socket socket, ulong size)
    {
        _socket = socket; _stream = new NetworkStream(socket, ownsSocket: false); Size = size;
    }

    /// <summary>The export's size in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Connects and negotiates <paramref name="exportName"/>; fails with the server's reason when it refuses.</summary>
    public static async Task<NbdReader> ConnectAsync(string unixSocket, string exportName, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(unixSocket), limit.Token).ConfigureAwait(false);
            await using var s = new NetworkStream(socket, ownsSocket: false);
            var greeting = new byte[18];
            await s.ReadExactlyAsync(greeting, limit.Token).ConfigureAwait(false);
            var flags = NbdCodec.ParseGreeting(greeting);
            await s.WriteAsync(NbdCodec.ClientFlags(flags), limit.Token).ConfigureAwait(false);
            await s.WriteAsync(NbdCodec.OptGoRequest(exportName), limit.Token).ConfigureAwait(false);
            ulong? size = null;
            var head = new byte[20];
            for (var i = 0; i < 64; i++)
            {
                await s.ReadExactlyAsync(head, limit.Token).ConfigureAwait(false);
                var reply = NbdCodec.ParseOptionReply(head);
                var data = new byte[reply.Length];
                await s.ReadExactlyAsync(data, limit.Token).ConfigureAwait(false);
                if (reply.IsError)
                    throw new NbdProtocolException($"NBD server refused export '{exportName}' (reply 0x{reply.Type:x}): {System.Text.Encoding.UTF8.GetString(data)}");
                if (reply.Type == NbdCodec.RepInfo) size ??= NbdCodec.ExportSize(data);
                else if (reply.Type == NbdCodec.RepAck)
                    return new NbdReader(socket, size ?? throw new NbdProtocolException("NBD server sent no export size"));
            }
            throw new NbdProtocolException("NBD server sent too many option replies");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>.</summary>
    public async Task ReadAsync(ulong offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (buffer.Length > NbdCodec.MaxRead) throw new ArgumentOutOfRangeException(nameof(buffer), $"NBD reads are at most {NbdCodec.MaxRead} bytes");
        var cookie = ++_cookie;
        await _stream.WriteAsync(NbdCodec.Request(NbdCodec.CmdRead, cookie, offset, (uint)buffer.Length), ct).ConfigureAwait(false);
        await _stream.ReadExactlyAsync(_header.AsMemory(0, 16), ct).ConfigureAwait(false);
        var (error, answered) = NbdCodec.ParseSimpleReply(_header);
        if (answered != cookie) throw new NbdProtocolException($"reply for cookie {answered}, expected {cookie}");
        if (error != 0) throw new IOException($"NBD read of {buffer.Length} bytes at {offset} failed with errno {error}");
        await _stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _stream.WriteAsync(NbdCodec.Request(NbdCodec.CmdDisconnect, ++_cookie, 0, 0)).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
