using System.Net.Sockets;
using System.Text;

namespace Infra.Qmp.Tests;

/// <summary>Event fan-out, with a scripted server that sends events on demand.</summary>
public class QmpClientEventTests
{
    private const string Greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n";

    private static async Task<(QmpClient qmp, Socket server)> ConnectedAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"infra-qmp-ev-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var server = await listener.AcceptAsync();
        File.Delete(path);
        var peer = Task.Run(async () =>
        {
            await server.SendAsync(Encoding.ASCII.GetBytes(Greeting));
            var sb = new StringBuilder(); var b = new byte[1];
            while (await server.ReceiveAsync(b) == 1 && b[0] != '\n') sb.Append((char)b[0]);
            var id = System.Text.Json.JsonDocument.Parse(sb.ToString()).RootElement.GetProperty("id").GetString();
            await server.SendAsync(Encoding.ASCII.GetBytes($"{{\"return\": {{}}, \"id\": \"{id}\"}}\r\n"));
        });
        var qmp = await QmpClient.ConnectAsync(new NetworkStream(client, true));
        await peer;
        return (qmp, server);
    }

    private static Task SendEventAsync(Socket server, string name) =>
        server.SendAsync(Encoding.ASCII.GetBytes($"{{\"timestamp\": {{\"seconds\": 1, \"microseconds\": 2}}, \"event\": \"{name}\"}}\r\n"));

    [Fact]
    public async Task Events_ReachEverySubscriber_AndFiltersApply()
    {
        var (qmp, server) = await ConnectedAsync();
        await using var q = qmp;
        using var s = server;
        using var all = qmp.Subscribe();
        using var jobs = qmp.Subscribe(n => n.Contains("JOB"));
        await SendEventAsync(server, "STOP");
        await SendEventAsync(server, "JOB_STATUS_CHANGE");
        await SendEventAsync(server, "BLOCK_JOB_COMPLETED");
        await all.WaitForAsync("BLOCK_JOB_COMPLETED", TimeSpan.FromSeconds(10));
        var seenByJobs = new List<string>();
        while (seenByJobs.Count < 2) seenByJobs.Add((await jobs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Name);
        Assert.Equal(["JOB_STATUS_CHANGE", "BLOCK_JOB_COMPLETED"], seenByJobs);
        Assert.False(jobs.Reader.TryRead(out var extra), $"unexpected {extra?.Name}");
    }

    [Fact]
    public async Task DisposedSubscription_GetsNoMoreEvents_OthersStillDo()
    {
        var (qmp, server) = await ConnectedAsync();
        await using var q = qmp;
        using var s = server;
        var gone = qmp.Subscribe();
        using var stays = qmp.Subscribe();
        gone.Dispose();
        await SendEventAsync(server, "RESUME");
        await stays.WaitForAsync("RESUME", TimeSpan.FromSeconds(10));
        Assert.True(gone.Reader.Completion.IsCompleted);
        Assert.False(gone.Reader.TryRead(out _));
    }

    [Fact]
    public async Task WaitForEvent_WhenConnectionCloses_FailsWithConnectionClosed()
    {
        var (qmp, server) = await ConnectedAsync();
        await using var q = qmp;
        using var sub = qmp.Subscribe();
        var waiting = sub.WaitForAsync("SHUTDOWN", TimeSpan.FromSeconds(20));
        server.Shutdown(SocketShutdown.Both);
        server.Dispose();
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => waiting);
    }

    [Fact]
    public async Task Dispose_FailsPendingCalls()
    {
        var (qmp, server) = await ConnectedAsync();
        using var s = server;
        var pending = qmp.ExecuteAsync("query-status", timeout: TimeSpan.FromSeconds(20));
        await qmp.DisposeAsync();
        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => pending);
    }
}
