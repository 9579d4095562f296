using Infra.DBus.Client;
using Infra.DBus.Tests.Fixtures;
using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Client;

public sealed class SignalTests : IClassFixture<DBusDaemonFixture>
{
    readonly DBusDaemon _bus;
    public SignalTests(DBusDaemonFixture f) => _bus = f.Daemon;

    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Signal_MatchingRule_IsDeliveredWithBody()
    {
        await using var emitter = await _bus.ConnectAsync();
        await using var listener = await _bus.ConnectAsync();
        var got = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await listener.AddMatchAsync(new MatchRule { Interface = "org.infra.Events", Member = "Ping", Sender = emitter.UniqueName },
            m => got.TrySetResult(m));

        emitter.Send(DBusMessage.Signal("/org/infra/e", "org.infra.Events", "Ping", "sa{sv}", "hello",
            new Dictionary<string, DBusVariant> { ["n"] = DBusVariant.UInt32(3) }));

        var m = await got.Task.WaitAsync(Wait);
        Assert.Equal(emitter.UniqueName, m.Sender);
        Assert.Equal("hello", m.Body[0]);
        Assert.Equal(DBusVariant.UInt32(3), ((Dictionary<object, object>)m.Body[1])["n"]);
    }

    [Fact]
    public async Task Signal_EachHandlerSeesOnlyItsOwnRule()
    {
        await using var emitter = await _bus.ConnectAsync();
        await using var listener = await _bus.ConnectAsync();
        var pings = new List<string>();
        var pongs = new List<string>();
        var lastPong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await listener.AddMatchAsync(new MatchRule { Interface = "org.infra.Events", Member = "Ping" }, m => { lock (pings) pings.Add((string)m.Body[0]); });
        await using var b = await listener.AddMatchAsync(new MatchRule { Interface = "org.infra.Events", Member = "Pong" }, m =>
        {
            lock (pongs) pongs.Add((string)m.Body[0]);
            if ((string)m.Body[0] == "last") lastPong.TrySetResult();
        });

        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Ping", "s", "p1"));
        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Pong", "s", "q1"));
        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Other", "s", "x"));
        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Pong", "s", "last"));
        await lastPong.Task.WaitAsync(Wait);

        // The bus keeps one sender's messages in order, so everything sent before "last" has arrived.
        Assert.Equal(new[] { "p1" }, pings);
        Assert.Equal(new[] { "q1", "last" }, pongs);
    }

    [Fact]
    public async Task Signal_AfterSubscriptionDisposed_IsNoLongerDelivered()
    {
        await using var emitter = await _bus.ConnectAsync();
        await using var listener = await _bus.ConnectAsync();
        int pings = 0;
        var fence = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sub = await listener.AddMatchAsync(new MatchRule { Member = "Ping" }, _ => Interlocked.Increment(ref pings));
        await using var fenceSub = await listener.AddMatchAsync(new MatchRule { Member = "Fence" }, _ => fence.TrySetResult());
        await sub.DisposeAsync(); // RemoveMatch has been answered once this returns

        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Ping", ""));
        emitter.Send(DBusMessage.Signal("/e", "org.infra.Events", "Fence", ""));
        await fence.Task.WaitAsync(Wait);
        Assert.Equal(0, pings);
    }

    [Fact]
    public async Task NameOwnerChanged_FromBus_ArrivesWhenNameIsTaken()
    {
        await using var owner = await _bus.ConnectAsync();
        await using var listener = await _bus.ConnectAsync();
        var name = "org.infra.Watch" + Guid.NewGuid().ToString("N");
        var got = new TaskCompletionSource<DBusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await listener.AddMatchAsync(new MatchRule
        {
            Sender = BusNames.Daemon, Interface = BusNames.DaemonInterface, Member = "NameOwnerChanged", Arg0 = name,
        }, m => got.TrySetResult(m));
        await owner.RequestNameAsync(name);
        var m = await got.Task.WaitAsync(Wait);
        Assert.Equal(new object[] { name, "", owner.UniqueName }, m.Body);
    }

    [Fact]
    public async Task PendingCalls_WhenBusDies_FailWithClosedException()
    {
        await using var own = new DBusDaemon();
        await using var server = await own.ConnectAsync();
        await using var client = await own.ConnectAsync();
        var never = new TaskCompletionSource<DBusMessage>();
        server.ExportObject("/hang", (_, ct) => never.Task.WaitAsync(ct));
        var pending = client.CallAsync(DBusMessage.MethodCall(server.UniqueName, "/hang", "org.infra.T", "Hang"));
        own.Kill();
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => pending.WaitAsync(Wait));
        Assert.NotNull(await client.Closed.WaitAsync(Wait));
    }
}
