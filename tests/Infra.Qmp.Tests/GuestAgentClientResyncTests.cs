using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Infra.Qmp.GuestAgent;

namespace Infra.Qmp.Tests;

/// <summary>
/// The resync rules, shown with a scripted peer because a real agent cannot be made to send stale
/// replies on demand (the stand-in in a booted guest covers the happy path).
/// </summary>
public class GuestAgentClientResyncTests
{
    private static (Socket client, Socket server) Pair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-qga-mem-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        var server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }

    private static async Task<byte[]> ReadLineAsync(Socket s)
    {
        var line = new List<byte>(); var b = new byte[1];
        while (await s.ReceiveAsync(b) == 1 && b[0] != '\n') line.Add(b[0]);
        return line.ToArray();
    }

    /// <summary>A reply to guest-sync-delimited: the 0xFF sentinel, then the JSON line.</summary>
    private static byte[] Delimited(string json) => [0xFF, .. Encoding.ASCII.GetBytes(json)];

    private static long SyncId(byte[] line)
    {
        Assert.Equal(0xFF, line[0]); // the resync sentinel precedes every sync
        var doc = JsonDocument.Parse(line.AsMemory(1));
        Assert.Equal("guest-sync-delimited", doc.RootElement.GetProperty("execute").GetString());
        return doc.RootElement.GetProperty("arguments").GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Sync_DiscardsStaleRepliesUntilItsOwnId()
    {
        var (client, server) = Pair();
        using var _ = server;
        await using var qga = GuestAgentClient.Over(new NetworkStream(client, true));
        var peer = Task.Run(async () =>
        {
            var id = SyncId(await ReadLineAsync(server));
            // Leftovers from an earlier client, then a sync reply with the wrong id, then ours.
            await server.SendAsync(Encoding.ASCII.GetBytes("{\"return\": {}}\n"));
            await server.SendAsync(Delimited("{\"return\": 12345}\n"));
            await server.SendAsync(Delimited($"{{\"return\": {id}}}\n"));
            var ping = Encoding.ASCII.GetString(await ReadLineAsync(server));
            Assert.Contains("guest-ping", ping);
            await server.SendAsync(Encoding.ASCII.GetBytes("{\"return\": {}}\n"));
        });
        await qga.PingAsync(TimeSpan.FromSeconds(10));
        await peer;
    }

    [Fact]
    public async Task Call_AfterTimeout_ResyncsBeforeNextCommand()
    {
        var (client, server) = Pair();
        using var _ = server;
        await using var qga = GuestAgentClient.Over(new NetworkStream(client, true),
            new GuestAgentOptions { SyncTimeout = TimeSpan.FromSeconds(10) });
        var peer = Task.Run(async () =>
        {
            var id = SyncId(await ReadLineAsync(server));
            await server.SendAsync(Delimited($"{{\"return\": {id}}}\n"));
            await ReadLineAsync(server); // the status call: left unanswered so it times out
            var second = SyncId(await ReadLineAsync(server));
            // The late reply to the timed-out call arrives now; the client must not take it as the sync reply.
            await server.SendAsync(Encoding.ASCII.GetBytes("{\"return\": \"frozen\"}\n"));
            await server.SendAsync(Delimited($"{{\"return\": {second}}}\n"));
            await ReadLineAsync(server);
            await server.SendAsync(Encoding.ASCII.GetBytes("{\"return\": \"thawed\"}\n"));
        });
        await Assert.ThrowsAsync<GuestAgentTimeoutException>(() => qga.CallAsync("guest-fsfreeze-status", TimeSpan.FromMilliseconds(300)));
        Assert.Equal(FreezeStatus.Thawed, await qga.GetFreezeStatusAsync(TimeSpan.FromSeconds(10)));
        await peer;
    }
}
