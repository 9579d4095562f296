using Infra.Systemd.Manager;

namespace Infra.DBus.Tests.Fixtures;

/// <summary>Per test: a fresh dbus-daemon, the scripted systemd on it, and our client connected to it.</summary>
public abstract class BusWithSystemd : IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    protected DBusDaemon Bus { get; } = new();
    protected ScriptedSystemd Systemd { get; private set; } = null!;
    protected SystemdManager Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Systemd = await ScriptedSystemd.StartAsync(Bus.Address);
        Client = await Bus.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        if (Systemd is not null) await Systemd.DisposeAsync();
        await Bus.DisposeAsync();
    }

    protected ManagerCall Last(string member) => Systemd.Calls.Last(c => c.Member == member);
}
