using Infra.Ovsdb.Client;
using Infra.Ovsdb.Connection;
using Infra.Ovsdb.Transact;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Tests.Integration;

/// <summary>Monitors, reconnect/resync and failure handling against a real ovsdb-server.</summary>
public sealed class OvsdbMonitorTests : IDisposable
{
    private const string Db = "Open_vSwitch";
    private readonly OvsdbServerFixture _server = new();
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private async Task<OvsdbClient> ConnectAsync(string endpoint, OvsdbConnectionOptions? conn = null)
    {
        var c = new OvsdbClient(new OvsdbClientOptions(endpoint)
        {
            Connection = conn ?? new(), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400),
        });
        c.Start();
        await c.GetConnectionAsync(Ct);
        await c.TransactAsync(Db, [new InsertOp("Open_vSwitch", new Dictionary<string, OvsdbValue>())], Ct);
        return c;
    }

    private static Dictionary<string, MonitorTable> BridgeTable => new() { ["Bridge"] = new(["name", "external_ids", "ports"]) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Monitor_ReplicaFollowsInsertModifyDelete(bool conditional)
    {
        await using var c = await ConnectAsync(_server.UnixEndpoint);
        var replica = await c.MonitorAsync(Db, BridgeTable, Ct, conditional);
        Assert.Empty(replica.Rows("Bridge"));

        var uuid = (await c.TransactAsync(Db, OvsdbClientTests.AddBridge("br-m"), Ct))[0].Uuid!.Value;
        await Wait.UntilAsync(() => replica.Row("Bridge", uuid)?.GetString("name") == "br-m", "insert seen");

        await c.TransactAsync(Db, [new MutateOp("Bridge", [OvsdbCondition.UuidIs(uuid)], [OvsdbMutation.Insert("external_ids", OvsdbValue.MapOf([new("k", "v")]))])], Ct);
        await Wait.UntilAsync(() => replica.Row("Bridge", uuid)?.GetMap("external_ids").GetValueOrDefault("k") == "v", "map modify seen");

        await c.TransactAsync(Db, [new MutateOp("Open_vSwitch", [], [OvsdbMutation.Delete("bridges", OvsdbValue.SetOf(new OvsdbUuid(uuid)))])], Ct);
        await Wait.UntilAsync(() => replica.Rows("Bridge").Count == 0, "delete seen");
    }

    [Fact]
    public async Task MonitorCond_WithWhere_ReplicatesOnlyMatchingRows()
    {
        await using var c = await ConnectAsync(_server.UnixEndpoint);
        var replica = await c.MonitorAsync(Db, new Dictionary<string, MonitorTable>
        {
            ["Bridge"] = new(["name"], [OvsdbCondition.Equal("name", OvsdbValue.Of("wanted"))]),
        }, Ct);
        await c.TransactAsync(Db, OvsdbClientTests.AddBridge("unwanted"), Ct);
        await c.TransactAsync(Db, OvsdbClientTests.AddBridge("wanted"), Ct);
        await Wait.UntilAsync(() => replica.Rows("Bridge").Count == 1, "matching row seen");
        Assert.Equal("wanted", replica.Rows("Bridge")[0].GetString("name"));
    }

    [Fact]
    public async Task ServerKilledAndRestarted_ClientReconnects_AndReplicaResyncsChangesMadeWhileDown()
    {
        await using var c = await ConnectAsync(_server.UnixEndpoint);
        var replica = await c.MonitorAsync(Db, BridgeTable, Ct);
        await c.TransactAsync(Db, OvsdbClientTests.AddBridge("before"), Ct);
        await Wait.UntilAsync(() => replica.Rows("Bridge").Count == 1, "first bridge");

        _server.Kill();
        // Change the database while no server runs: only a full resync can reveal this row.
        OvsdbServerFixture.Run("ovsdb-tool", "transact", _server.DbPath,
            "[\"Open_vSwitch\",{\"op\":\"insert\",\"table\":\"Bridge\",\"row\":{\"name\":\"offline\"},\"uuid-name\":\"b\"}," +
            "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":[[\"bridges\",\"insert\",[\"set\",[[\"named-uuid\",\"b\"]]]]]}]");
        Assert.Single(replica.Rows("Bridge")); // stale rows stay readable while disconnected
        _server.Start();

        await Wait.UntilAsync(() => c.Sessions >= 2, "reconnected");
        await Wait.UntilAsync(() => replica.Rows("Bridge").Any(r => r.GetString("name") == "offline"), "resynced offline change");
        Assert.True(replica.Resyncs >= 2);
        Assert.Contains(Db, await c.ListDbsAsync(Ct));
        await c.TransactAsync(Db, OvsdbClientTests.AddBridge("after"), Ct);
        await Wait.UntilAsync(() => replica.Rows("Bridge").Count == 3, "updates flow after resync");
    }

    [Fact]
    public async Task Transact_WhenServerClosesMidReply_FailsPendingCallWithClosedException()
    {
        using var relay = new SocketRelay(_server.Dir, _server.SocketPath);
        await using var conn = await OvsdbConnection.ConnectAsync(OvsdbEndpoint.Parse(relay.Endpoint));
        relay.CutReplyContaining = "\"tables\"";
        var ex = await Assert.ThrowsAsync<OvsdbConnectionClosedException>(() =>
            conn.CallAsync("get_schema", w => w.WriteStringValue(Db), Ct));
        Assert.Contains("middle of a message", ex.Message);
        await Assert.ThrowsAsync<OvsdbConnectionClosedException>(() => conn.CallAsync("list_dbs", _ => { }, Ct));
    }

    [Fact]
    public async Task IdlePeer_ThatNeverAnswersEcho_IsDeclaredDead()
    {
        using var relay = new SocketRelay(_server.Dir, _server.SocketPath);
        await using var conn = await OvsdbConnection.ConnectAsync(OvsdbEndpoint.Parse(relay.Endpoint),
            new OvsdbConnectionOptions { IdleProbeInterval = TimeSpan.FromMilliseconds(200), ProbeTimeout = TimeSpan.FromMilliseconds(300) });
        await conn.CallAsync("list_dbs", _ => { }, Ct); // alive while answered
        relay.BlackHole = true;
        var reason = await conn.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsType<OvsdbConnectionClosedException>(reason);
        Assert.Contains("echo", reason!.Message);
    }

    [Fact]
    public async Task IdleConnection_StaysUp_WhileEchoProbesAreAnswered()
    {
        await using var conn = await OvsdbConnection.ConnectAsync(OvsdbEndpoint.Parse(_server.UnixEndpoint),
            new OvsdbConnectionOptions { IdleProbeInterval = TimeSpan.FromMilliseconds(100), ProbeTimeout = TimeSpan.FromSeconds(5) });
        await Task.Delay(800); // several probe rounds
        Assert.False(conn.IsClosed);
        Assert.Contains(Db, (await conn.CallAsync("list_dbs", _ => { }, Ct)).EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Call_WhenPeerHangs_TimesOut()
    {
        using var relay = new SocketRelay(_server.Dir, _server.SocketPath);
        await using var conn = await OvsdbConnection.ConnectAsync(OvsdbEndpoint.Parse(relay.Endpoint), new OvsdbConnectionOptions { IdleProbeInterval = TimeSpan.Zero });
        relay.BlackHole = true;
        await Assert.ThrowsAsync<TimeoutException>(() => conn.CallAsync("list_dbs", _ => { }, Ct, TimeSpan.FromMilliseconds(300)));
    }

    public void Dispose() => _server.Dispose();
}
