using Infra.Ovsdb.Client;
using Infra.Ovsdb.Connection;
using Infra.Ovsdb.Transact;
using Infra.Ovsdb.Values;

namespace Infra.Ovsdb.Tests.Integration;

/// <summary>The client against a real ovsdb-server on the Open_vSwitch schema.</summary>
public sealed class OvsdbClientTests : IDisposable
{
    private const string Db = "Open_vSwitch";
    private readonly OvsdbServerFixture _server = new();
    private static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private async Task<OvsdbClient> ConnectAsync(string? endpoint = null, OvsdbConnectionOptions? conn = null)
    {
        var c = new OvsdbClient(new OvsdbClientOptions(endpoint ?? _server.UnixEndpoint)
        {
            Connection = conn ?? new(), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400),
        });
        c.Start();
        await c.GetConnectionAsync(Ct);
        return c;
    }

    internal static OvsdbOperation[] AddBridge(string name) =>
    [
        new InsertOp("Bridge", new Dictionary<string, OvsdbValue> { ["name"] = OvsdbValue.Of(name) }, "br"),
        new MutateOp("Open_vSwitch", [], [OvsdbMutation.Insert("bridges", OvsdbValue.SetOf(new OvsdbNamedUuid("br")))]),
    ];

    private static async Task EnsureRootRowAsync(OvsdbClient c) =>
        await c.TransactAsync(Db, [new InsertOp("Open_vSwitch", new Dictionary<string, OvsdbValue>())], Ct);

    [Fact]
    public async Task ListDbs_OverUnixSocket_ReturnsOpenVSwitch()
    {
        await using var c = await ConnectAsync();
        Assert.Contains(Db, await c.ListDbsAsync(Ct));
    }

    [Fact]
    public async Task GetSchema_OverTcp_ReturnsVswitchSchema()
    {
        await using var c = await ConnectAsync(_server.TcpEndpoint);
        var schema = await c.GetSchemaAsync(Db, Ct);
        Assert.Equal(Db, schema.GetProperty("name").GetString());
        Assert.True(schema.GetProperty("tables").TryGetProperty("Interface", out _));
    }

    [Fact]
    public async Task Transact_InsertSelectUpdateMutateWaitDelete_RoundTrips()
    {
        await using var c = await ConnectAsync();
        await EnsureRootRowAsync(c);
        var r = await c.TransactAsync(Db, [new CommentOp("test: add bridge"), .. AddBridge("br-t1")], Ct);
        var uuid = r[1].Uuid!.Value;

        await c.TransactAsync(Db, [
            new UpdateOp("Bridge", [OvsdbCondition.UuidIs(uuid)], new Dictionary<string, OvsdbValue> { ["datapath_type"] = OvsdbValue.Of("netdev") }),
            new MutateOp("Bridge", [OvsdbCondition.Equal("name", OvsdbValue.Of("br-t1"))],
                [OvsdbMutation.Insert("external_ids", OvsdbValue.MapOf([new("owner", "test")]))]),
        ], Ct);
        var sel = await c.TransactAsync(Db, [
            new WaitOp("Bridge", [OvsdbCondition.UuidIs(uuid)], ["datapath_type"], "==",
                [new Dictionary<string, OvsdbValue> { ["datapath_type"] = OvsdbValue.Of("netdev") }], TimeoutMs: 0),
            new SelectOp("Bridge", [OvsdbCondition.Includes("external_ids", OvsdbValue.MapOf([new("owner", "test")]))], ["name", "datapath_type", "external_ids"]),
        ], Ct);
        var row = Assert.Single(sel[1].Rows!);
        Assert.Equal("br-t1", row["name"].Atoms[0].ToText());
        Assert.Equal("netdev", row["datapath_type"].Atoms[0].ToText());
        Assert.Equal("test", row["external_ids"].ToStringMap()["owner"]);

        var del = await c.TransactAsync(Db, [new MutateOp("Open_vSwitch", [], [OvsdbMutation.Delete("bridges", OvsdbValue.SetOf(new OvsdbUuid(uuid)))])], Ct);
        Assert.Equal(1, del[0].Count);
        var after = await c.TransactAsync(Db, [new SelectOp("Bridge", [], ["name"])], Ct);
        Assert.Empty(after[0].Rows!); // unreferenced non-root row was garbage collected
    }

    [Fact]
    public async Task Transact_WhenAnOperationFails_ThrowsWithServerDetails()
    {
        await using var c = await ConnectAsync();
        var ex = await Assert.ThrowsAsync<OvsdbTransactionException>(() => c.TransactAsync(Db,
            [new InsertOp("Bridge", new Dictionary<string, OvsdbValue> { ["no_such_column"] = OvsdbValue.Of(1) })], Ct));
        Assert.Contains("no_such_column", ex.Message);
    }

    [Fact]
    public async Task Call_WithUnknownMethod_ThrowsRpcException()
    {
        await using var c = await ConnectAsync();
        await Assert.ThrowsAsync<OvsdbRpcException>(() => c.CallAsync("no_such_method", _ => { }, Ct));
    }
    public void Dispose() => _server.Dispose();
}
