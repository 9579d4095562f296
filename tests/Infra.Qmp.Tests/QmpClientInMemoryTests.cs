using System.Net.Sockets;
using System.Text;

namespace Infra.Qmp.Tests;

/// <summary>Behaviour a real qemu cannot be made to show on demand: a reply cut off mid-line, garbage.</summary>
public class QmpClientInMemoryTests
{
    private const string Greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n";

    private static (Socket client, Socket server) Pair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-qmp-mem-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        var server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }

    private static async Task<string> ReadLineAsync(Socket s)
    {
        var sb = new StringBuilder(); var b = new byte[1];
        while (await s.ReceiveAsync(b) == 1 && b[0] != '\n') sb.Append((char)b[0]);
        return sb.ToString();
    }

    [Fact]
    public async Task Execute_WhenServerClosesMidReply_FailsPendingCalls()
    {
        var (client, server) = Pair();
        using var _ = server;
        var peer = Task.Run(async () =>
        {
            await server.SendAsync(Encoding.ASCII.GetBytes(Greeting));
            var caps = await ReadLineAsync(server);
            var id = System.Text.Json.JsonDocument.Parse(caps).RootElement.GetProperty("id").GetString();
            await server.SendAsync(Encoding.ASCII.GetBytes($"{{\"return\": {{}}, \"id\": \"{id}\"}}\r\n"));
            await ReadLineAsync(server); await ReadLineAsync(server);
            await server.SendAsync(Encoding.ASCII.GetBytes("{\"return\": {\"stat"));
            server.Shutdown(SocketShutdown.Both);
        });
        await using var qmp = await QmpClient.ConnectAsync(new NetworkStream(client, true));
        var a = qmp.ExecuteAsync("query-status", timeout: TimeSpan.FromSeconds(20));
        var b = qmp.ExecuteAsync("query-name", timeout: TimeSpan.FromSeconds(20));
        await peer;
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => a);
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => b);
    }

    [Fact]
    public async Task Connect_WhenPeerSendsGarbage_FailsWithProtocolError()
    {
        var (client, server) = Pair();
        using var _ = server;
        await server.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n"));
        var ex = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => QmpClient.ConnectAsync(new NetworkStream(client, true)));
        Assert.IsType<QmpProtocolException>(ex.InnerException);
    }
}

