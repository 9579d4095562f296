using System.Net.Sockets;
using System.Text;
using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Fixtures;

/// <summary>
/// A one-connection bus whose behaviour after Hello is scripted by the test, for the failure edges a
/// well-behaved dbus-daemon never shows (a reply cut off mid-frame, garbage bytes, refused auth).
/// It complements, never replaces, the suites against the real daemon.
/// </summary>
public sealed class ScriptedBus : IAsyncDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("infra-scripted-bus-").FullName;
    readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly Task _serve;
    readonly byte[] _buf = new byte[1 << 20];
    int _len;
    Socket? _peer;

    public string Address { get; }

    /// <param name="authReply">What to answer AUTH with; anything but "OK …" makes the client fail.</param>
    /// <param name="script">Runs after the Hello exchange with the accepted connection.</param>
    public ScriptedBus(Func<ScriptedBus, Task> script, string authReply = "OK 0123456789abcdef0123456789abcdef", string fdReply = "ERROR")
    {
        var path = Path.Combine(_dir, "bus");
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(1);
        Address = "unix:path=" + path;
        _serve = Task.Run(async () =>
        {
            _peer = await _listener.AcceptAsync();
            while (true)
            {
                var line = await ReadLineAsync();
                if (line.TrimStart('\0').StartsWith("AUTH", StringComparison.Ordinal)) await SendAsync(Encoding.ASCII.GetBytes(authReply + "\r\n"));
                else if (line == "NEGOTIATE_UNIX_FD") await SendAsync(Encoding.ASCII.GetBytes(fdReply + "\r\n"));
                else if (line == "BEGIN") break;
                if (!authReply.StartsWith("OK", StringComparison.Ordinal)) { _peer.Close(); return; }
            }
            var hello = await ReadMessageAsync();
            await SendAsync(MessageCodec.Encode(DBusMessage.ReplyTo(hello, "s", ":1.1") with { Serial = 1, Sender = "org.freedesktop.DBus" }));
            await script(this);
        });
    }

    public async Task SendAsync(byte[] bytes) => await _peer!.SendAsync(bytes, SocketFlags.None);

    public void Close() => _peer?.Close();

    public async Task<DBusMessage> ReadMessageAsync()
    {
        for (int rounds = 0; rounds < 10_000; rounds++)
        {
            int n = MessageCodec.TryDecode(_buf.AsSpan(0, _len), out var m);
            if (n > 0)
            {
                Buffer.BlockCopy(_buf, n, _buf, 0, _len - n);
                _len -= n;
                return m!;
            }
            int got = await _peer!.ReceiveAsync(_buf.AsMemory(_len), SocketFlags.None);
            if (got == 0) throw new IOException("client closed");
            _len += got;
        }
        throw new IOException("no whole message");
    }

    async Task<string> ReadLineAsync()
    {
        for (int rounds = 0; rounds < 10_000; rounds++)
        {
            int nl = _buf.AsSpan(0, _len).IndexOf("\r\n"u8);
            if (nl >= 0)
            {
                var line = Encoding.ASCII.GetString(_buf, 0, nl);
                Buffer.BlockCopy(_buf, nl + 2, _buf, 0, _len - nl - 2);
                _len -= nl + 2;
                return line;
            }
            int got = await _peer!.ReceiveAsync(_buf.AsMemory(_len), SocketFlags.None);
            if (got == 0) throw new IOException("client closed during auth");
            _len += got;
        }
        throw new IOException("no auth line");
    }

    /// <summary>The script's own failure, if any (assert on it so a broken script cannot pass silently).</summary>
    public Task Served => _serve;

    public async ValueTask DisposeAsync()
    {
        _peer?.Dispose();
        _listener.Dispose();
        try { await _serve.WaitAsync(TimeSpan.FromSeconds(5)); } catch { /* reported through Served where a test cares */ }
        Directory.Delete(_dir, recursive: true);
    }
}
