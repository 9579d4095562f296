using Infra.DBus.Wire;

namespace Infra.Systemd.Units;

/// <summary>One command line of ExecStart= and friends: the binary, argv (argv[0] included), and whether failure is ignored.</summary>
public sealed record ExecCommand(string Path, IReadOnlyList<string> Argv, bool IgnoreFailure = false)
{
    public static ExecCommand Of(string path, params string[] args) => new(path, new[] { path }.Concat(args).ToArray());
}

/// <summary>
/// A unit property as systemd's bus API takes it (name + typed variant) — the "a(sv)" of
/// StartTransientUnit and SetUnitProperties. The factories fix the D-Bus type of each property,
/// which systemd checks strictly (CPUQuotaPerSecUSec must be 't', not 'u').
/// </summary>
public sealed record UnitProperty(string Name, DBusVariant Value)
{
    public static UnitProperty Description(string text) => new("Description", DBusVariant.String(text));

    public static UnitProperty ExecStart(params ExecCommand[] commands) => new("ExecStart",
        new DBusVariant("a(sasb)", commands.Select(c => new object[] { c.Path, c.Argv.ToArray(), c.IgnoreFailure }).ToArray()));

    public static UnitProperty Slice(string slice) => new("Slice", DBusVariant.String(slice));

    /// <summary>CPU time per wall-clock second; 1 s is one whole core (systemd CPUQuota=100%).</summary>
    public static UnitProperty CpuQuotaPerSec(TimeSpan perSecond) => new("CPUQuotaPerSecUSec", DBusVariant.UInt64((ulong)(perSecond.Ticks / 10)));

    /// <summary>CPUQuota= in percent of one core (200 = two cores).</summary>
    public static UnitProperty CpuQuotaPercent(uint percent) => new("CPUQuotaPerSecUSec", DBusVariant.UInt64(percent * 10_000UL));

    public static UnitProperty CpuWeight(ulong weight) => new("CPUWeight", DBusVariant.UInt64(weight));
    public static UnitProperty MemoryMax(ulong bytes) => new("MemoryMax", DBusVariant.UInt64(bytes));
    public static UnitProperty TasksMax(ulong count) => new("TasksMax", DBusVariant.UInt64(count));

    /// <summary>control-group, mixed, process or none.</summary>
    public static UnitProperty KillMode(string mode) => new("KillMode", DBusVariant.String(mode));

    public static UnitProperty Delegate(bool on) => new("Delegate", DBusVariant.Bool(on));

    /// <summary>no, on-success, on-failure, on-abnormal, on-watchdog, on-abort or always.</summary>
    public static UnitProperty Restart(string policy) => new("Restart", DBusVariant.String(policy));

    /// <summary>Service Type=: simple, exec, forking, oneshot, notify, …</summary>
    public static UnitProperty Type(string type) => new("Type", DBusVariant.String(type));

    /// <summary>none, main, exec or all: who may send sd_notify messages for the unit.</summary>
    public static UnitProperty NotifyAccess(string access) => new("NotifyAccess", DBusVariant.String(access));

    public static UnitProperty Environment(params string[] assignments) => new("Environment", new DBusVariant("as", assignments));
    public static UnitProperty RemainAfterExit(bool on) => new("RemainAfterExit", DBusVariant.Bool(on));
    public static UnitProperty WatchdogTimeout(TimeSpan t) => new("WatchdogUSec", DBusVariant.UInt64((ulong)(t.Ticks / 10)));
    public static UnitProperty TimeoutStart(TimeSpan t) => new("TimeoutStartUSec", DBusVariant.UInt64((ulong)(t.Ticks / 10)));
    public static UnitProperty TimeoutStop(TimeSpan t) => new("TimeoutStopUSec", DBusVariant.UInt64((ulong)(t.Ticks / 10)));

    /// <summary>inactive (default) or inactive-or-failed: whether a failed transient unit is garbage-collected too.</summary>
    public static UnitProperty CollectMode(string mode) => new("CollectMode", DBusVariant.String(mode));

    internal object[] ToWire() => new object[] { Name, Value };
}
