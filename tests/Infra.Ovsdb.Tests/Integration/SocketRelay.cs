using System.Net.Sockets;

namespace Infra.Ovsdb.Tests.Integration;

/// <summary>
/// A unix-socket relay between the client and the real ovsdb-server, used to inject the failures a
/// healthy server will not produce on demand: cutting the connection halfway through a reply, or
/// swallowing every server message (a hung peer).
/// </summary>
public sealed class SocketRelay : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];

    public string Path { get; }
    public string Endpoint => $"unix:{Path}";
    /// <summary>When set, the next server chunk containing this text is forwarded only in part, then both sides are closed.</summary>
    public volatile string? CutReplyContaining;
    /// <summary>When true, server-to-client bytes are dropped.</summary>
    public volatile bool BlackHole;

    public SocketRelay(string dir, string targetSocket)
    {
        Path = System.IO.Path.Combine(dir, $"relay-{Guid.NewGuid():N}.sock"[..20]);
        _target = targetSocket;
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen();
        _ = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await server.ConnectAsync(new UnixDomainSocketEndPoint(_target));
                lock (_sockets) { _sockets.Add(client); _sockets.Add(server); }
                _ = Pump(client, server, fromServer: false);
                _ = Pump(server, client, fromServer: true);
            }
        }
        catch (Exception) { /* listener closed */ }
    }

    private async Task Pump(Socket from, Socket to, bool fromServer)
    {
        var buf = new byte[65536];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buf, SocketFlags.None, _stop.Token);
                if (n == 0) break;
                if (fromServer && BlackHole) continue;
                var cut = CutReplyContaining;
                if (fromServer && cut is not null && System.Text.Encoding.UTF8.GetString(buf, 0, n).Contains(cut))
                {
                    await to.SendAsync(buf.AsMemory(0, n / 2), SocketFlags.None);
                    break;
                }
                await to.SendAsync(buf.AsMemory(0, n), SocketFlags.None);
            }
        }
        catch (Exception) { }
        from.Dispose(); to.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_sockets) foreach (var s in _sockets) s.Dispose();
        File.Delete(Path);
    }
}
