using Infra.DBus;

namespace Infra.Systemd.Manager;

/// <summary>systemd error names we turn into their own exception types.</summary>
public static class SystemdErrorNames
{
    public const string NoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
    public const string UnitExists = "org.freedesktop.systemd1.UnitExists";
    public const string AlreadySubscribed = "org.freedesktop.systemd1.AlreadySubscribed";
}

/// <summary>systemd knows no loaded unit by that name (GetUnit of a missing or garbage-collected unit).</summary>
public sealed class NoSuchUnitException(string unit, string message) : DBusErrorException(SystemdErrorNames.NoSuchUnit, message)
{
    public string Unit { get; } = unit;
}

/// <summary>StartTransientUnit was asked for a name that is already loaded.</summary>
public sealed class UnitExistsException(string unit, string message) : DBusErrorException(SystemdErrorNames.UnitExists, message)
{
    public string Unit { get; } = unit;
}

static class SystemdErrors
{
    /// <summary>Maps a raw bus error for <paramref name="unit"/> to the typed exception callers catch.</summary>
    public static Exception Map(DBusErrorException e, string unit) => e.ErrorName switch
    {
        SystemdErrorNames.NoSuchUnit => new NoSuchUnitException(unit, e.ErrorMessage),
        SystemdErrorNames.UnitExists => new UnitExistsException(unit, e.ErrorMessage),
        _ => e,
    };
}
