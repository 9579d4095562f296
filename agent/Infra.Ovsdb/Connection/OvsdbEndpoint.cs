using System.Net;
using System.Net.Sockets;

namespace Infra.Ovsdb.Connection;

/// <summary>Where ovsdb-server listens, in its own syntax: "unix:/path" or "tcp:host:port".</summary>
public sealed record OvsdbEndpoint(EndPoint EndPoint)
{
    public static OvsdbEndpoint Parse(string text)
    {
        if (text.StartsWith("unix:", StringComparison.Ordinal)) return new(new UnixDomainSocketEndPoint(text[5..]));
        if (text.StartsWith("tcp:", StringComparison.Ordinal))
        {
            var rest = text[4..];
            var colon = rest.LastIndexOf(':');
            if (colon > 0 && int.TryParse(rest[(colon + 1)..], out var port))
            {
                var host = rest[..colon].Trim('[', ']');
                return new(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port));
            }
        }
        throw new FormatException($"\"{text}\" is not an OVSDB endpoint; use unix:/path/db.sock or tcp:127.0.0.1:6640.");
    }

    public async Task<Stream> ConnectAsync(CancellationToken ct)
    {
        var socket = EndPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(EndPoint, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override string ToString() => EndPoint switch
    {
        UnixDomainSocketEndPoint u => $"unix:{u}",
        _ => $"tcp:{EndPoint}",
    };
}
