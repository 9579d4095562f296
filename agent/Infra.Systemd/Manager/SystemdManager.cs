using Infra.DBus;
using Infra.DBus.Client;
using Infra.DBus.Wire;
using Infra.Systemd.Units;

namespace Infra.Systemd.Manager;

/// <summary>
/// Typed client of org.freedesktop.systemd1.Manager on one bus connection (normally the system bus).
/// Calls return job object paths; <see cref="WaitForJobAsync"/> turns them into outcomes through the
/// JobRemoved signal, which <see cref="SubscribeAsync"/> enables. Errors naming a unit come back as
/// <see cref="NoSuchUnitException"/> / <see cref="UnitExistsException"/>.
/// </summary>
public sealed partial class SystemdManager : IAsyncDisposable
{
    public const string Service = "org.freedesktop.systemd1";
    public const string ManagerPath = "/org/freedesktop/systemd1";
    public const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    public const string UnitInterface = "org.freedesktop.systemd1.Unit";
    public const string ServiceInterface = "org.freedesktop.systemd1.Service";

    readonly DBusConnection _bus;
    readonly bool _ownsConnection;

    public SystemdManager(DBusConnection bus, bool ownsConnection = false)
    {
        _bus = bus;
        _ownsConnection = ownsConnection;
    }

    public DBusConnection Connection => _bus;

    /// <summary>Connects to the bus at <paramref name="address"/> (default: the system bus) and owns that connection.</summary>
    public static async Task<SystemdManager> ConnectAsync(string? address = null, CancellationToken ct = default)
    {
        var conn = await DBusConnection.ConnectAsync(new DBusConnectionOptions { Address = address ?? Infra.DBus.Transport.DBusAddress.SystemBus() }, ct);
        return new SystemdManager(conn, ownsConnection: true);
    }

    async Task<IReadOnlyList<object>> Call(string member, string sig, object[] args, string? unit, TimeSpan? timeout, CancellationToken ct)
    {
        try
        {
            return await _bus.CallMethodAsync(Service, ManagerPath, ManagerInterface, member, sig, args, timeout, ct);
        }
        catch (DBusErrorException e) when (unit is not null)
        {
            throw SystemdErrors.Map(e, unit);
        }
    }

    /// <summary>
    /// Creates and starts a transient unit. <paramref name="mode"/> is the job mode ("fail" refuses to
    /// replace a queued job, "replace" takes over). Returns the start job's object path.
    /// </summary>
    public async Task<string> StartTransientUnitAsync(string name, string mode, IEnumerable<UnitProperty> properties,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var props = properties.Select(p => p.ToWire()).ToArray();
        var aux = Array.Empty<object>(); // a(sa(sv)): auxiliary units, unused by the agent
        var body = await Call("StartTransientUnit", "ssa(sv)a(sa(sv))", [name, mode, props, aux], name, timeout, ct);
        return ((ObjectPath)body[0]).Value;
    }

    public async Task<string> StopUnitAsync(string name, string mode = "replace", TimeSpan? timeout = null, CancellationToken ct = default) =>
        ((ObjectPath)(await Call("StopUnit", "ss", [name, mode], name, timeout, ct))[0]).Value;

    public async Task<string> StartUnitAsync(string name, string mode = "replace", TimeSpan? timeout = null, CancellationToken ct = default) =>
        ((ObjectPath)(await Call("StartUnit", "ss", [name, mode], name, timeout, ct))[0]).Value;

    /// <summary>Sends <paramref name="signal"/> to the unit's processes; <paramref name="who"/> is "main", "control" or "all".</summary>
    public Task KillUnitAsync(string name, string who, int signal, TimeSpan? timeout = null, CancellationToken ct = default) =>
        Call("KillUnit", "ssi", [name, who, signal], name, timeout, ct);

    public Task ResetFailedUnitAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        Call("ResetFailedUnit", "s", [name], name, timeout, ct);

    /// <summary>The unit's object path; throws <see cref="NoSuchUnitException"/> when it is not loaded.</summary>
    public async Task<string> GetUnitAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        ((ObjectPath)(await Call("GetUnit", "s", [name], name, timeout, ct))[0]).Value;

    /// <summary>Changes properties of a loaded unit; <paramref name="runtime"/> keeps them out of /etc (lost on reboot).</summary>
    public Task SetUnitPropertiesAsync(string name, bool runtime, IEnumerable<UnitProperty> properties,
        TimeSpan? timeout = null, CancellationToken ct = default) =>
        Call("SetUnitProperties", "sba(sv)", [name, runtime, properties.Select(p => p.ToWire()).ToArray()], name, timeout, ct);

    /// <summary>One property of a unit object, via org.freedesktop.DBus.Properties.Get.</summary>
    public async Task<object> GetPropertyAsync(string unitPath, string iface, string property, CancellationToken ct = default)
    {
        var body = await _bus.CallMethodAsync(Service, unitPath, BusNames.PropertiesInterface, "Get", "ss", [iface, property], null, ct);
        return ((DBusVariant)body[0]).Value;
    }

    /// <summary>State, main PID, control group and status text of a loaded service unit.</summary>
    public async Task<UnitStatus> GetUnitStatusAsync(string name, CancellationToken ct = default)
    {
        var path = await GetUnitAsync(name, ct: ct);
        var active = (string)await GetPropertyAsync(path, UnitInterface, "ActiveState", ct);
        var sub = (string)await GetPropertyAsync(path, UnitInterface, "SubState", ct);
        var pid = (uint)await GetPropertyAsync(path, ServiceInterface, "MainPID", ct);
        var cgroup = (string)await GetPropertyAsync(path, ServiceInterface, "ControlGroup", ct);
        var status = (string)await GetPropertyAsync(path, ServiceInterface, "StatusText", ct);
        return new UnitStatus(name, active, sub, pid, cgroup, status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_jobSubscription is not null) await _jobSubscription.DisposeAsync();
        if (_ownsConnection) await _bus.DisposeAsync();
    }
}
