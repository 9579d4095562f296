namespace Infra.Agent.Compute.Runners;

/// <summary>
/// What the systemd runner needs from systemd's Manager D-Bus API. The real implementation
/// (agent/Infra.Systemd over Tmds.DBus.Protocol) maps each <see cref="UnitProperty"/> to its D-Bus
/// signature: <see cref="UnitValue.Str"/> 's', <see cref="UnitValue.U64"/> 't',
/// <see cref="UnitValue.Bool"/> 'b', <see cref="UnitValue.Exec"/> 'a(sasb)'.
/// </summary>
public interface IUnitManager
{
    /// <summary>StartTransientUnit(name, "fail", properties, []); completes when the start job is queued.</summary>
    Task StartTransientUnitAsync(string unitName, IReadOnlyList<UnitProperty> properties, CancellationToken ct);
    /// <summary>StopUnit(name, "replace").</summary>
    Task StopUnitAsync(string unitName, CancellationToken ct);
    /// <summary>KillUnit(name, "all", signal).</summary>
    Task KillUnitAsync(string unitName, int signal, CancellationToken ct);
    /// <summary>SetUnitProperties(name, runtime: true, properties): live CPU quota and memory changes.</summary>
    Task SetUnitPropertiesAsync(string unitName, IReadOnlyList<UnitProperty> properties, CancellationToken ct);
    /// <summary>The unit's state; null when systemd does not know it (never started, or collected).</summary>
    Task<UnitState?> GetUnitStateAsync(string unitName, CancellationToken ct);
    /// <summary>ResetFailedUnit(name), so a failed transient unit's name can be reused.</summary>
    Task ResetFailedUnitAsync(string unitName, CancellationToken ct);
}

/// <summary>A unit's state as systemd reports it.</summary>
/// <param name="ActiveState">active, activating, deactivating, inactive, failed.</param>
/// <param name="SubState">running, exited, dead, failed, ...</param>
/// <param name="MainPid">The main PID (0 when none).</param>
/// <param name="ExecMainStatus">The main process's exit status once it has exited.</param>
/// <param name="Result">systemd's result: success, exit-code, signal, timeout, oom-kill, ...</param>
public sealed record UnitState(string ActiveState, string SubState, int MainPid, int ExecMainStatus, string Result);

/// <summary>One property of a transient unit.</summary>
public sealed record UnitProperty(string Name, UnitValue Value);

/// <summary>The typed values a unit property can take.</summary>
public abstract record UnitValue
{
    private UnitValue() { }
    /// <summary>D-Bus 's'.</summary>
    public sealed record Str(string Value) : UnitValue;
    /// <summary>D-Bus 't'.</summary>
    public sealed record U64(ulong Value) : UnitValue;
    /// <summary>D-Bus 'b'.</summary>
    public sealed record Bool(bool Value) : UnitValue;
    /// <summary>D-Bus 'a(sasb)' with one entry: path, argv (argv[0] included), ignore failure.</summary>
    public sealed record Exec(string Path, IReadOnlyList<string> Argv, bool IgnoreFailure) : UnitValue
    {
        /// <summary>Value equality over the argv, so property lists compare in tests.</summary>
        public bool Equals(Exec? other) => other is not null && Path == other.Path && IgnoreFailure == other.IgnoreFailure && Argv.SequenceEqual(other.Argv);
        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(Path, Argv.Count, IgnoreFailure);
    }
}
