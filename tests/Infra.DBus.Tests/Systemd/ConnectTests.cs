using Infra.DBus.Tests.Fixtures;
using Infra.Systemd.Manager;
using Tmds.DBus.Protocol;

namespace Infra.DBus.Tests.Systemd;

/// <summary>Reaching systemd on a real dbus-daemon: address forms, fallback, and what a missing bus or systemd says.</summary>
public sealed class ConnectTests : BusWithSystemd
{
    [Fact]
    public async Task Connect_OverPathAndAbstractAddresses_ReadsSystemdsVersion()
    {
        foreach (var address in new[] { Bus.Address, Bus.AbstractAddress })
        {
            await using var m = await SystemdManager.ConnectAsync(address);
            Assert.Equal("252-scripted", await m.GetPropertyAsync(SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "Version"));
        }
    }

    [Fact]
    public async Task Connect_WithFirstAddressEntryDead_FallsBackToTheNext()
    {
        await using var m = await SystemdManager.ConnectAsync("unix:path=/nonexistent/infra-bus;" + Bus.Address);
        Assert.Equal("252-scripted", await m.GetPropertyAsync(SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "Version"));
    }

    [Fact]
    public async Task Connect_ToMissingSocket_FailsNamingTheAddress()
    {
        var ex = await Assert.ThrowsAsync<DBusConnectFailedException>(() => SystemdManager.ConnectAsync("unix:path=/nonexistent/infra-bus"));
        Assert.Contains("/nonexistent/infra-bus", ex.Message);
        Assert.Contains("could not reach systemd", ex.Message);
    }

    [Fact]
    public async Task Connect_ToABusWithoutSystemd_SaysSystemdIsNotThere()
    {
        await using var empty = new DBusDaemon();
        var ex = await Assert.ThrowsAsync<DBusConnectFailedException>(() => SystemdManager.ConnectAsync(empty.Address));
        Assert.Contains("systemd is not on the bus", ex.Message);
        Assert.Contains(empty.SocketPath, ex.Message);
        Assert.Equal(SystemdErrorNames.ServiceUnknown, Assert.IsType<SystemdErrorException>(ex.InnerException).ErrorName);
    }
}
