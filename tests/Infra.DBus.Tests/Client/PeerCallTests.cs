using Infra.DBus.Client;
using Infra.DBus.Tests.Fixtures;
using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Client;

/// <summary>Two of our own connections on a real dbus-daemon: one exports an object, the other calls it.</summary>
public sealed class PeerCallTests : IClassFixture<DBusDaemonFixture>, IAsyncLifetime
{
    const string Iface = "org.infra.Test";
    readonly DBusDaemon _bus;
    DBusConnection _server = null!, _client = null!;
    readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerCallTests(DBusDaemonFixture f) => _bus = f.Daemon;

    public async Task InitializeAsync()
    {
        _server = await _bus.ConnectAsync();
        _client = await _bus.ConnectAsync();
        _server.ExportObject("/org/infra/Test", Serve);
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    // The tiny exported object: Echo (any signature back), Add(ii)->i, Fail, Hang (until released or closed).
    async Task<DBusMessage> Serve(DBusMessage call, CancellationToken ct)
    {
        switch (call.Member)
        {
            case "Echo": return DBusMessage.ReplyTo(call, call.Signature, call.Body.ToArray());
            case "Add": return DBusMessage.ReplyTo(call, "i", (int)call.Body[0] + (int)call.Body[1]);
            case "Fail": throw new DBusErrorException("org.infra.Error.Broken", "it broke on purpose");
            case "Hang": await _release.Task.WaitAsync(ct); return DBusMessage.ReplyTo(call);
            default: throw new DBusErrorException(BusNames.ErrorUnknownMethod, $"no method {call.Member}");
        }
    }

    Task<DBusMessage> Call(string member, string sig = "", object[]? args = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        _client.CallAsync(DBusMessage.MethodCall(_server.UniqueName, "/org/infra/Test", Iface, member, sig, args ?? []), timeout, ct);

    [Fact]
    public async Task Call_ToExportedObject_ReturnsItsReply()
    {
        var reply = await Call("Add", "ii", [40, 2]);
        Assert.Equal(new object[] { 42 }, reply.Body);
        Assert.Equal(_server.UniqueName, reply.Sender);
    }

    [Fact]
    public async Task Call_WithNestedValues_EchoesThemIntact()
    {
        var props = new Dictionary<string, DBusVariant> { ["CPUQuotaPerSecUSec"] = DBusVariant.UInt64(500_000), ["Description"] = DBusVariant.String("x") };
        var reply = await Call("Echo", "a{sv}a(sasb)ybnqixtdog",
            [props, new[] { ("/bin/true", new[] { "true" }, false) }, (byte)1, true, (short)-3, (ushort)4, -5, -6L, 7UL, 0.5,
             new ObjectPath("/x"), new DBusSignature("a{sv}")]);
        var echoed = (Dictionary<object, object>)reply.Body[0];
        Assert.Equal(DBusVariant.UInt64(500_000), echoed["CPUQuotaPerSecUSec"]);
        Assert.Equal(new object[] { (byte)1, true, (short)-3, (ushort)4, -5, -6L, 7UL, 0.5, new ObjectPath("/x"), new DBusSignature("a{sv}") },
            reply.Body.Skip(2));
    }

    [Fact]
    public async Task Call_WhenHandlerThrows_SurfacesErrorNameAndMessage()
    {
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => Call("Fail"));
        Assert.Equal("org.infra.Error.Broken", ex.ErrorName);
        Assert.Equal("it broke on purpose", ex.ErrorMessage);
    }

    [Fact]
    public async Task Call_ToUnexportedPath_ThrowsUnknownObject()
    {
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() =>
            _client.CallAsync(DBusMessage.MethodCall(_server.UniqueName, "/nothing/here", Iface, "Echo")));
        Assert.Equal(BusNames.ErrorUnknownObject, ex.ErrorName);
    }

    [Fact]
    public async Task Call_OfLargeMessages_RoundTripsEveryByte()
    {
        var blob = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(blob);
        var many = Enumerable.Range(0, 20_000).Select(i => ("item" + i, new[] { "a", i.ToString() }, i % 2 == 0)).ToArray();
        var reply = await Call("Echo", "aya(sasb)", [blob, many]);
        Assert.Equal(blob, (byte[])reply.Body[0]);
        var back = (object[])reply.Body[1];
        Assert.Equal(20_000, back.Length);
        Assert.Equal(new object[] { "item19999", new object[] { "a", "19999" }, false }, (object[])back[^1]);
    }

    [Fact]
    // 100, not more: dbus-daemon caps pending replies per connection at 128 by default.
    public async Task Calls_ManyInParallel_EachGetsItsOwnReply()
    {
        var calls = Enumerable.Range(0, 100).Select(i => Call("Add", "ii", [i, 1000])).ToArray();
        var replies = await Task.WhenAll(calls);
        for (int i = 0; i < replies.Length; i++) Assert.Equal(i + 1000, (int)replies[i].Body[0]);
    }

    [Fact]
    public async Task Call_WithoutReplyInTime_ThrowsTimeoutAndConnectionStaysUsable()
    {
        var ex = await Assert.ThrowsAsync<DBusTimeoutException>(() => Call("Hang", timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Contains("Hang", ex.Message);
        Assert.Equal(new object[] { 3 }, (await Call("Add", "ii", [1, 2])).Body);
    }

    [Fact]
    public async Task Call_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var pending = Call("Hang", ct: cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task PendingCall_WhenConnectionDisposed_FailsWithClosedException()
    {
        var pending = Call("Hang");
        await Task.Delay(50); // let it reach the server; the assertion holds either way
        await _client.DisposeAsync();
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => pending);
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => Call("Add", "ii", [1, 2]));
    }

    [Fact]
    public async Task Call_WithArgumentsNotMatchingSignature_ThrowsBeforeSending()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Call("Add", "ii", [1]));
        Assert.Equal(new object[] { 3 }, (await Call("Add", "ii", [1, 2])).Body);
    }
}
