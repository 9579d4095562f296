using Tmds.DBus.Protocol;

namespace Infra.Systemd.Units;

/// <summary>One command line of ExecStart= and friends: the binary, argv (argv[0] included), and whether failure is ignored.</summary>
public sealed record ExecCommand(string Path, IReadOnlyList<string> Argv, bool IgnoreFailure = false)
{
    public static ExecCommand Of(string path, params string[] args) => new(path, new[] { path }.Concat(args).ToArray());
}

/// <summary>
/// A unit property as systemd's bus API takes it (name + typed variant) — the "a(sv)" of
/// StartTransientUnit and SetUnitProperties. The factories fix the D-Bus type of each property,
/// which systemd checks strictly (CPUQuotaPerSecUSec must be 't', not 'u'); the variant is
/// Tmds.DBus.Protocol's, written as it is.
/// </summary>
public sealed record UnitProperty(string Name, VariantValue Value)
{
    public static UnitProperty Description(string text) => new("Description", VariantValue.String(text));

    /// <summary>ExecStart= as 'a(sasb)': path, argv, ignore-failure per command.</summary>
    public static UnitProperty ExecStart(params ExecCommand[] commands) => new("ExecStart", ExecValue(commands));

    /// <summary>The 'a(sasb)' value of an Exec*= property.</summary>
    public static VariantValue ExecValue(IEnumerable<ExecCommand> commands) =>
        new Tmds.DBus.Protocol.Array<Struct<string, Tmds.DBus.Protocol.Array<string>, bool>>(
            commands.Select(c => Struct.Create(c.Path, new Tmds.DBus.Protocol.Array<string>(c.Argv), c.IgnoreFailure)));

    public static UnitProperty Slice(string slice) => new("Slice", VariantValue.String(slice));

    /// <summary>CPU time per wall-clock second; 1 s is one whole core (systemd CPUQuota=100%).</summary>
    public static UnitProperty CpuQuotaPerSec(TimeSpan perSecond) => new("CPUQuotaPerSecUSec", VariantValue.UInt64((ulong)(perSecond.Ticks / 10)));

    /// <summary>CPUQuota= in percent of one core (200 = two cores).</summary>
    public static UnitProperty CpuQuotaPercent(uint percent) => new("CPUQuotaPerSecUSec", VariantValue.UInt64(percent * 10_000UL));

    public static UnitProperty CpuWeight(ulong weight) => new("CPUWeight", VariantValue.UInt64(weight));
    public static UnitProperty MemoryMax(ulong bytes) => new("MemoryMax", VariantValue.UInt64(bytes));
    public static UnitProperty TasksMax(ulong count) => new("TasksMax", VariantValue.UInt64(count));

    /// <summary>control-group, mixed, process or none.</summary>
    public static UnitProperty KillMode(string mode) => new("KillMode", VariantValue.String(mode));

    public static UnitProperty Delegate(bool on) => new("Delegate", VariantValue.Bool(on));

    /// <summary>no, on-success, on-failure, on-abnormal, on-watchdog, on-abort or always.</summary>
    public static UnitProperty Restart(string policy) => new("Restart", VariantValue.String(policy));

    /// <summary>Service Type=: simple, exec, forking, oneshot, notify, …</summary>
    public static UnitProperty Type(string type) => new("Type", VariantValue.String(type));

    /// <summary>none, main, exec or all: who may send sd_notify messages for the unit.</summary>
    public static UnitProperty NotifyAccess(string access) => new("NotifyAccess", VariantValue.String(access));

    public static UnitProperty Environment(params string[] assignments) => new("Environment", VariantValue.Array(assignments));
    public static UnitProperty RemainAfterExit(bool on) => new("RemainAfterExit", VariantValue.Bool(on));
    public static UnitProperty WatchdogTimeout(TimeSpan t) => new("WatchdogUSec", VariantValue.UInt64((ulong)(t.Ticks / 10)));
    public static UnitProperty TimeoutStart(TimeSpan t) => new("TimeoutStartUSec", VariantValue.UInt64((ulong)(t.Ticks / 10)));
    public static UnitProperty TimeoutStop(TimeSpan t) => new("TimeoutStopUSec", VariantValue.UInt64((ulong)(t.Ticks / 10)));

    /// <summary>
    /// stdout to a file, appended. Over D-Bus this is its own property; "StandardOutput=append:path"
    /// is unit-file syntax only.
    /// </summary>
    public static UnitProperty StandardOutputFileToAppend(string path) => new("StandardOutputFileToAppend", VariantValue.String(path));

    /// <summary>stderr to a file, appended (see <see cref="StandardOutputFileToAppend"/>).</summary>
    public static UnitProperty StandardErrorFileToAppend(string path) => new("StandardErrorFileToAppend", VariantValue.String(path));

    /// <summary>inactive (default) or inactive-or-failed: whether a failed transient unit is garbage-collected too.</summary>
    public static UnitProperty CollectMode(string mode) => new("CollectMode", VariantValue.String(mode));

    /// <summary>Writes the properties as the 'a(sv)' argument systemd takes.</summary>
    internal static void WriteAll(ref MessageWriter writer, IEnumerable<UnitProperty> properties)
    {
        var array = writer.WriteArrayStart(DBusType.Struct);
        foreach (var p in properties)
        {
            writer.WriteStructureStart();
            writer.WriteString(p.Name);
            writer.WriteVariant(p.Value);
        }
        writer.WriteArrayEnd(array);
    }
}
