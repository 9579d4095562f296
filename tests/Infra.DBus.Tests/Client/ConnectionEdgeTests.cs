using Infra.DBus.Client;
using Infra.DBus.Tests.Fixtures;
using Infra.DBus.Wire;

namespace Infra.DBus.Tests.Client;

/// <summary>What the connection does when the peer misbehaves; the peer is a scripted socket.</summary>
public sealed class ConnectionEdgeTests
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    static Task<DBusConnection> Connect(ScriptedBus bus, bool fds = false) =>
        DBusConnection.ConnectAsync(new DBusConnectionOptions { Address = bus.Address, NegotiateUnixFds = fds, ConnectTimeout = Wait });

    static DBusMessage Ping => DBusMessage.MethodCall("org.infra.Peer", "/p", "org.infra.P", "Ping");

    [Fact]
    public async Task PendingCall_WhenServerClosesMidReply_FailsWithClosedException()
    {
        await using var bus = new ScriptedBus(async b =>
        {
            var call = await b.ReadMessageAsync();
            var reply = MessageCodec.Encode(DBusMessage.ReplyTo(call, "s", new string('x', 1000)) with { Serial = 2 });
            await b.SendAsync(reply[..(reply.Length / 2)]);
            b.Close();
        });
        await using var c = await Connect(bus);
        await Assert.ThrowsAsync<DBusConnectionClosedException>(() => c.CallAsync(Ping).WaitAsync(Wait));
        Assert.IsType<DBusConnectionClosedException>(await c.Closed.WaitAsync(Wait));
        await bus.Served;
    }

    [Fact]
    public async Task Connection_WhenPeerSendsGarbage_ClosesWithProtocolErrorAndFailsPendingCalls()
    {
        await using var bus = new ScriptedBus(async b =>
        {
            await b.ReadMessageAsync();
            await b.SendAsync(Hex.Parse("78 01 00 01 00000000 01000000 00000000"));
        });
        await using var c = await Connect(bus);
        var ex = await Assert.ThrowsAsync<DBusConnectionClosedException>(() => c.CallAsync(Ping).WaitAsync(Wait));
        Assert.IsType<DBusProtocolException>(ex.InnerException);
        Assert.IsType<DBusProtocolException>(await c.Closed.WaitAsync(Wait));
    }

    [Fact]
    public async Task Reply_ArrivingOneByteAtATime_IsReassembled()
    {
        await using var bus = new ScriptedBus(async b =>
        {
            var call = await b.ReadMessageAsync();
            var reply = MessageCodec.Encode(DBusMessage.ReplyTo(call, "as", new[] { "a", "bb", "ccc" }) with { Serial = 2 });
            foreach (var by in reply) await b.SendAsync([by]);
        });
        await using var c = await Connect(bus);
        var r = await c.CallAsync(Ping).WaitAsync(Wait);
        Assert.Equal(new object[] { "a", "bb", "ccc" }, (object[])r.Body[0]);
        await bus.Served;
    }

    [Fact]
    public async Task MessageOfUnknownType_IsIgnored()
    {
        await using var bus = new ScriptedBus(async b =>
        {
            var call = await b.ReadMessageAsync();
            await b.SendAsync(MessageCodec.Encode(new DBusMessage { Type = (MessageType)9, Serial = 2 }));
            await b.SendAsync(MessageCodec.Encode(DBusMessage.ReplyTo(call, "u", 5u) with { Serial = 3 }));
        });
        await using var c = await Connect(bus);
        Assert.Equal(new object[] { 5u }, (await c.CallAsync(Ping).WaitAsync(Wait)).Body);
        await bus.Served;
    }

    [Fact]
    public async Task Connect_WhenAuthRejected_ThrowsWithAuthenticationCause()
    {
        await using var bus = new ScriptedBus(_ => Task.CompletedTask, authReply: "REJECTED DBUS_COOKIE_SHA1");
        var ex = await Assert.ThrowsAsync<DBusConnectionClosedException>(() => Connect(bus));
        var auth = Assert.IsType<DBusAuthenticationException>(ex.InnerException);
        Assert.Contains("REJECTED", auth.Message.ToUpperInvariant());
    }

    [Fact]
    public async Task Connect_WhenServerRefusesUnixFds_ConnectsWithoutThem()
    {
        await using var bus = new ScriptedBus(_ => Task.CompletedTask, fdReply: "ERROR");
        await using var c = await Connect(bus, fds: true);
        Assert.False(c.UnixFdsNegotiated);
        Assert.Equal(":1.1", c.UniqueName);
    }
}
