using System.Net.Sockets;
using System.Text;
using Infra.Ovsdb.Connection;

namespace Infra.Ovsdb.Tests.Connection;

/// <summary>
/// Behaviour a healthy ovsdb-server does not show on demand (server-initiated echo, replies split
/// across writes, out-of-order replies), driven from a scripted peer on a unix socket pair.
/// </summary>
public sealed class ScriptedPeerTests : IAsyncDisposable
{
    private readonly Socket _peer;
    private readonly OvsdbConnection _conn;
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    public ScriptedPeerTests()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ovsdb-peer-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        _peer = listener.Accept();
        File.Delete(path);
        _conn = new OvsdbConnection(new NetworkStream(client, ownsSocket: true), new OvsdbConnectionOptions { IdleProbeInterval = TimeSpan.Zero });
        _conn.Start();
    }

    private void Send(string s) => _peer.Send(Encoding.UTF8.GetBytes(s));

    private async Task<string> ReceiveAsync()
    {
        var buf = new byte[4096];
        var n = await _peer.ReceiveAsync(buf, SocketFlags.None, Ct);
        return Encoding.UTF8.GetString(buf, 0, n);
    }

    [Fact]
    public async Task ServerEcho_IsAnsweredWithSameIdAndParams()
    {
        Send("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[\"x\",1]}");
        Assert.Equal("{\"id\":\"echo\",\"result\":[\"x\",1],\"error\":null}", await ReceiveAsync());
    }

    [Fact]
    public async Task ReplySplitAcrossWrites_AndRepliesOutOfOrder_CompleteTheRightCalls()
    {
        var first = _conn.CallAsync("list_dbs", _ => { }, Ct);
        var second = _conn.CallAsync("get_schema", w => w.WriteStringValue("X"), Ct);
        var sent = await ReceiveAsync();
        if (!sent.Contains("\"id\":2")) sent += await ReceiveAsync();
        Assert.Contains("\"method\":\"list_dbs\",\"params\":[],\"id\":1", sent);
        Send("{\"id\":2,\"result\":{\"name\":\"X\"},\"er");
        await Task.Delay(50);
        Send("ror\":null}  {\"id\":1,\"result\":[\"A\",\"B\"],\"error\":null}");
        Assert.Equal("X", (await second).GetProperty("name").GetString());
        Assert.Equal(2, (await first).GetArrayLength());
    }

    [Fact]
    public async Task Dispose_FailsPendingCallsWithClosedException()
    {
        var pending = _conn.CallAsync("list_dbs", _ => { }, Ct);
        await _conn.DisposeAsync();
        await Assert.ThrowsAsync<OvsdbConnectionClosedException>(() => pending);
    }

    [Fact]
    public async Task GarbageFromPeer_ClosesConnectionWithFormatError()
    {
        var pending = _conn.CallAsync("list_dbs", _ => { }, Ct);
        Send("[1,2,3]");
        await Assert.ThrowsAsync<OvsdbConnectionClosedException>(() => pending);
        Assert.IsType<Infra.Ovsdb.Codec.OvsdbFormatException>(await _conn.Completion);
    }

    public async ValueTask DisposeAsync()
    {
        await _conn.DisposeAsync();
        _peer.Dispose();
    }
}
