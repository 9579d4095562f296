using Infra.Systemd.Units;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;

namespace Infra.Systemd.Manager;

/// <summary>How <see cref="SystemdManager"/> reaches systemd and how long it waits.</summary>
public sealed record SystemdManagerOptions
{
    /// <summary>A D-Bus address; entries separated by ';' are tried in order. Default: the system bus.</summary>
    public string Address { get; init; } = SystemdManager.SystemBus;
    /// <summary>Timeout of a call that does not pass its own (libdbus uses 25 s too); covers a reconnect.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(25);
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public ILogger Logger { get; init; } = NullLogger.Instance;
}

/// <summary>
/// Typed client of org.freedesktop.systemd1.Manager on one Tmds.DBus.Protocol connection (normally
/// the system bus). Model: every call is one method call with its own timeout and cancellation
/// (the library has neither, so they wrap the reply task); error replies become
/// <see cref="SystemdErrorException"/>s (<see cref="NoSuchUnitException"/>, <see cref="UnitExistsException"/>).
/// The connection reconnects by itself on the next call after the bus went away (systemd or
/// dbus-daemon restarted); whatever was in flight then fails with DBusConnectionClosedException.
/// Jobs are turned into outcomes through the JobRemoved signal (see SystemdManager.Jobs.cs), which
/// is re-subscribed on the new connection.
/// </summary>
public sealed partial class SystemdManager : IAsyncDisposable
{
    public const string SystemBus = "unix:path=/run/dbus/system_bus_socket";
    public const string Service = "org.freedesktop.systemd1";
    public const string ManagerPath = "/org/freedesktop/systemd1";
    public const string ManagerInterface = "org.freedesktop.systemd1.Manager";
    public const string UnitInterface = "org.freedesktop.systemd1.Unit";
    public const string ServiceInterface = "org.freedesktop.systemd1.Service";
    public const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    readonly DBusConnection _bus;
    readonly SystemdManagerOptions _o;
    readonly ILogger _log;
    bool _disposed;

    SystemdManager(DBusConnection bus, SystemdManagerOptions options)
    {
        _bus = bus;
        _o = options;
        _log = options.Logger;
    }

    public SystemdManagerOptions Options => _o;

    /// <summary>Connects to the bus at <paramref name="address"/> (default: the system bus) and checks systemd answers there.</summary>
    public static Task<SystemdManager> ConnectAsync(string? address = null, CancellationToken ct = default) =>
        ConnectAsync(new SystemdManagerOptions { Address = address ?? SystemBus }, ct);

    /// <summary>
    /// Connects and reads the Manager's Version, so a bus without systemd fails here (with the
    /// address in the message) rather than at the first unit start.
    /// </summary>
    public static async Task<SystemdManager> ConnectAsync(SystemdManagerOptions options, CancellationToken ct = default)
    {
        var manager = new SystemdManager(new DBusConnection(new DBusConnectionOptions(options.Address) { AutoConnect = true }), options);
        try
        {
            var version = await manager.GetPropertyAsync(ManagerPath, ManagerInterface, "Version", ct).ConfigureAwait(false);
            LogConnected(manager._log, options.Address, version as string ?? "?");
            return manager;
        }
        catch (Exception e) when (e is DBusConnectionException or SystemdErrorException or SystemdTimeoutException)
        {
            await manager.DisposeAsync().ConfigureAwait(false);
            var what = e is SystemdErrorException { ErrorName: SystemdErrorNames.ServiceUnknown } ? "systemd is not on the bus" : "could not reach systemd";
            throw new DBusConnectFailedException($"{what} at '{options.Address}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates and starts a transient unit. <paramref name="mode"/> is the job mode ("fail" refuses to
    /// replace a queued job, "replace" takes over). Returns the start job's object path.
    /// </summary>
    public Task<string> StartTransientUnitAsync(string name, string mode, IEnumerable<UnitProperty> properties,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var w = ManagerCall("StartTransientUnit", "ssa(sv)a(sa(sv))");
        w.WriteString(name);
        w.WriteString(mode);
        UnitProperty.WriteAll(ref w, properties);
        w.WriteArrayEnd(w.WriteArrayStart(DBusType.Struct)); // auxiliary units: unused by the agent
        return Call(ref w, "StartTransientUnit", name, ReadPath, timeout, ct);
    }

    public Task<string> StopUnitAsync(string name, string mode = "replace", TimeSpan? timeout = null, CancellationToken ct = default) =>
        NameModeCall("StopUnit", name, mode, timeout, ct);

    public Task<string> StartUnitAsync(string name, string mode = "replace", TimeSpan? timeout = null, CancellationToken ct = default) =>
        NameModeCall("StartUnit", name, mode, timeout, ct);

    /// <summary>Sends <paramref name="signal"/> to the unit's processes; <paramref name="who"/> is "main", "control" or "all".</summary>
    public Task KillUnitAsync(string name, string who, int signal, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var w = ManagerCall("KillUnit", "ssi");
        w.WriteString(name);
        w.WriteString(who);
        w.WriteInt32(signal);
        return Call(ref w, "KillUnit", name, NoReply, timeout, ct);
    }

    public Task ResetFailedUnitAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var w = ManagerCall("ResetFailedUnit", "s");
        w.WriteString(name);
        return Call(ref w, "ResetFailedUnit", name, NoReply, timeout, ct);
    }

    /// <summary>The unit's object path; throws <see cref="NoSuchUnitException"/> when it is not loaded.</summary>
    public Task<string> GetUnitAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var w = ManagerCall("GetUnit", "s");
        w.WriteString(name);
        return Call(ref w, "GetUnit", name, ReadPath, timeout, ct);
    }

    /// <summary>Changes properties of a loaded unit; <paramref name="runtime"/> keeps them out of /etc (lost on reboot).</summary>
    public Task SetUnitPropertiesAsync(string name, bool runtime, IEnumerable<UnitProperty> properties,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var w = ManagerCall("SetUnitProperties", "sba(sv)");
        w.WriteString(name);
        w.WriteBool(runtime);
        UnitProperty.WriteAll(ref w, properties);
        return Call(ref w, "SetUnitProperties", name, NoReply, timeout, ct);
    }

    /// <summary>
    /// One property of a systemd object, via org.freedesktop.DBus.Properties.Get, as a CLR value
    /// (string, bool, the integer types, double, string[]); other shapes come back as the VariantValue.
    /// </summary>
    public Task<object> GetPropertyAsync(string objectPath, string iface, string property, CancellationToken ct = default)
    {
        var w = _bus.GetMessageWriter();
        w.WriteMethodCallHeader(Service, objectPath, PropertiesInterface, "Get", "ss");
        w.WriteString(iface);
        w.WriteString(property);
        return Call(ref w, $"Get({property})", null, static (m, _) => PropertyValues.ToClr(m.GetBodyReader().ReadVariantValue()), null, ct);
    }

    /// <summary>State, main PID, control group and status text of a loaded service unit.</summary>
    public async Task<UnitStatus> GetUnitStatusAsync(string name, CancellationToken ct = default)
    {
        var path = await GetUnitAsync(name, ct: ct).ConfigureAwait(false);
        try { return await ReadStatusAsync(name, path, ct).ConfigureAwait(false); }
        catch (SystemdErrorException e) when (e.ErrorName is SystemdErrorNames.UnknownObject or SystemdErrorNames.UnknownMethod)
        {
            // The unit was garbage-collected between GetUnit and the property reads (a transient unit
            // that just stopped or failed): to the caller that is the same as GetUnit finding nothing.
            throw new NoSuchUnitException(name, $"unit {name} was unloaded while its status was read: {e.ErrorMessage}", e);
        }
    }

    async Task<UnitStatus> ReadStatusAsync(string name, string path, CancellationToken ct)
    {
        var active = (string)await GetPropertyAsync(path, UnitInterface, "ActiveState", ct).ConfigureAwait(false);
        var sub = (string)await GetPropertyAsync(path, UnitInterface, "SubState", ct).ConfigureAwait(false);
        var pid = (uint)await GetPropertyAsync(path, ServiceInterface, "MainPID", ct).ConfigureAwait(false);
        var cgroup = (string)await GetPropertyAsync(path, ServiceInterface, "ControlGroup", ct).ConfigureAwait(false);
        var status = (string)await GetPropertyAsync(path, ServiceInterface, "StatusText", ct).ConfigureAwait(false);
        return new UnitStatus(name, active, sub, pid, cgroup, status);
    }

    public ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        _bus.Dispose();
        FailWaiters(new DBusConnectionClosedException("the systemd client was disposed"));
        return ValueTask.CompletedTask;
    }
}
