using Tmds.DBus.Protocol;

namespace Infra.Systemd.Manager;

/// <summary>systemd error names we turn into their own exception types.</summary>
public static class SystemdErrorNames
{
    public const string NoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
    public const string UnitExists = "org.freedesktop.systemd1.UnitExists";
    public const string AlreadySubscribed = "org.freedesktop.systemd1.AlreadySubscribed";
    public const string UnknownObject = "org.freedesktop.DBus.Error.UnknownObject";
    public const string UnknownMethod = "org.freedesktop.DBus.Error.UnknownMethod";
    public const string ServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown";
}

/// <summary>
/// systemd (or the bus on its behalf) answered a call with an error reply. <see cref="ErrorName"/>
/// is the D-Bus error name, <see cref="ErrorMessage"/> systemd's own text, which usually names the
/// property or unit at fault. Transport failures are not this: they surface as Tmds.DBus.Protocol's
/// <see cref="DBusConnectionException"/> (closed, could not connect).
/// </summary>
public class SystemdErrorException(string errorName, string errorMessage, string? unit, Exception? inner = null)
    : Exception($"{errorName}: {errorMessage}", inner)
{
    public string ErrorName { get; } = errorName;
    public string ErrorMessage { get; } = errorMessage;
    /// <summary>The unit the call was about, when it named one.</summary>
    public string? Unit { get; } = unit;
}

/// <summary>systemd knows no loaded unit by that name (GetUnit of a missing or garbage-collected unit).</summary>
public sealed class NoSuchUnitException(string unit, string message, Exception? inner = null)
    : SystemdErrorException(SystemdErrorNames.NoSuchUnit, message, unit, inner)
{
    public new string Unit => base.Unit!;
}

/// <summary>StartTransientUnit was asked for a name that is already loaded.</summary>
public sealed class UnitExistsException(string unit, string message, Exception? inner = null)
    : SystemdErrorException(SystemdErrorNames.UnitExists, message, unit, inner)
{
    public new string Unit => base.Unit!;
}

/// <summary>No reply (or no JobRemoved for an awaited job) arrived within the timeout.</summary>
public sealed class SystemdTimeoutException(string message) : TimeoutException(message);

static class SystemdErrors
{
    /// <summary>Maps a bus error reply about <paramref name="unit"/> to the typed exception callers catch.</summary>
    public static SystemdErrorException Map(DBusErrorReplyException e, string? unit) => e.ErrorName switch
    {
        SystemdErrorNames.NoSuchUnit when unit is not null => new NoSuchUnitException(unit, e.ErrorMessage, e),
        SystemdErrorNames.UnitExists when unit is not null => new UnitExistsException(unit, e.ErrorMessage, e),
        _ => new SystemdErrorException(e.ErrorName, e.ErrorMessage, unit, e),
    };
}
