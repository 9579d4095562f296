using Infra.DBus.Client;
using Infra.DBus.Tests.Fixtures;

namespace Infra.DBus.Tests.Client;

/// <summary>Talks to a real dbus-daemon's own interface (org.freedesktop.DBus).</summary>
public sealed class BusDaemonTests : IClassFixture<DBusDaemonFixture>
{
    readonly DBusDaemon _bus;
    public BusDaemonTests(DBusDaemonFixture f) => _bus = f.Daemon;

    [Fact]
    public async Task Connect_AuthenticatesAndGetsUniqueName()
    {
        await using var c = await _bus.ConnectAsync();
        Assert.StartsWith(":", c.UniqueName);
        Assert.Equal(32, c.ServerGuid.Length);
    }

    [Fact]
    public async Task Connect_OverAbstractSocket_Works()
    {
        await using var c = await DBusConnection.ConnectAsync(new DBusConnectionOptions { Address = _bus.AbstractAddress });
        Assert.StartsWith(":", c.UniqueName);
    }

    [Fact]
    public async Task Connect_WithFirstAddressEntryDead_FallsBackToNext()
    {
        await using var c = await DBusConnection.ConnectAsync(new DBusConnectionOptions { Address = "unix:path=/nonexistent/infra-bus;" + _bus.Address });
        Assert.StartsWith(":", c.UniqueName);
    }

    [Fact]
    public async Task Connect_ToMissingSocket_ThrowsClosedWithTheAddress()
    {
        var ex = await Assert.ThrowsAsync<DBusConnectionClosedException>(() =>
            DBusConnection.ConnectAsync(new DBusConnectionOptions { Address = "unix:path=/nonexistent/infra-bus" }));
        Assert.Contains("/nonexistent/infra-bus", ex.Message);
    }

    [Fact]
    public async Task Connect_NegotiatingUnixFds_IsAgreedByDaemon()
    {
        await using var c = await _bus.ConnectAsync(negotiateFds: true);
        Assert.True(c.UnixFdsNegotiated);
    }

    [Fact]
    public async Task ListNames_IncludesBusAndOwnUniqueName()
    {
        await using var c = await _bus.ConnectAsync();
        var names = await c.ListNamesAsync();
        Assert.Contains("org.freedesktop.DBus", names);
        Assert.Contains(c.UniqueName, names);
    }

    [Fact]
    public async Task GetNameOwner_OfUnownedName_ThrowsNameHasNoOwner()
    {
        await using var c = await _bus.ConnectAsync();
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => c.GetNameOwnerAsync("org.infra.Nobody"));
        Assert.Equal(BusNames.ErrorNameHasNoOwner, ex.ErrorName);
        Assert.Contains("org.infra.Nobody", ex.ErrorMessage);
    }

    [Fact]
    public async Task RequestName_MakesUsOwner_AndSecondRequesterIsRefused()
    {
        await using var a = await _bus.ConnectAsync();
        await using var b = await _bus.ConnectAsync();
        var name = "org.infra.Test" + Guid.NewGuid().ToString("N");
        Assert.Equal(RequestNameReply.PrimaryOwner, await a.RequestNameAsync(name));
        Assert.Equal(RequestNameReply.AlreadyOwner, await a.RequestNameAsync(name));
        Assert.Equal(RequestNameReply.Exists, await b.RequestNameAsync(name));
        Assert.Equal(a.UniqueName, await b.GetNameOwnerAsync(name));
        Assert.Equal(1u, await a.ReleaseNameAsync(name));
        await Assert.ThrowsAsync<DBusErrorException>(() => b.GetNameOwnerAsync(name));
    }

    [Fact]
    public async Task Call_ToUnknownMethodOfBus_ThrowsTypedError()
    {
        await using var c = await _bus.ConnectAsync();
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() =>
            c.CallMethodAsync(BusNames.Daemon, BusNames.DaemonPath, BusNames.DaemonInterface, "NoSuchMethod", "", []));
        Assert.Equal(BusNames.ErrorUnknownMethod, ex.ErrorName);
    }

    [Fact]
    public async Task Call_ToServiceThatDoesNotExist_ThrowsServiceUnknown()
    {
        await using var c = await _bus.ConnectAsync();
        var ex = await Assert.ThrowsAsync<DBusErrorException>(() => c.CallMethodAsync("org.infra.Missing", "/", "org.infra.X", "M", "", []));
        Assert.Equal(BusNames.ErrorServiceUnknown, ex.ErrorName);
    }
}

public sealed class DBusDaemonFixture : IDisposable
{
    public DBusDaemon Daemon { get; } = new();
    public void Dispose() => Daemon.Dispose();
}
