using Infra.Agent.Compute.Runners;
using Infra.Systemd.Manager;
using Tmds.DBus.Protocol;
using SdProperty = Infra.Systemd.Units.UnitProperty;

namespace Infra.Agent.Vm.Systemd;

/// <summary>
/// <see cref="IUnitManager"/> over systemd's Manager D-Bus API (<see cref="SystemdManager"/>).
/// Starts and stops wait for their jobs, so a caller that saw the call return knows the unit is
/// up (Type=exec: qemu has been executed) or gone. A unit systemd does not know is a null state,
/// not an error: transient units are garbage-collected once they stop.
/// <paramref name="extraStartProperties"/> are added to every unit started: a host that confines
/// qemu further (RootDirectory=, BindPaths=, a different User=) says so here, not in compute.
/// </summary>
public sealed class SystemdUnitManager(SystemdManager systemd, TimeSpan? jobTimeout = null, IReadOnlyList<SdProperty>? extraStartProperties = null) : IUnitManager
{
    private readonly TimeSpan _jobTimeout = jobTimeout ?? TimeSpan.FromSeconds(60);
    private readonly IReadOnlyList<SdProperty> _extra = extraStartProperties ?? [];

    /// <summary>The D-Bus form of a compute unit property; the signature is fixed per value type.</summary>
    public static SdProperty ToWire(UnitProperty p) => new(p.Name, p.Value switch
    {
        UnitValue.Str s => VariantValue.String(s.Value),
        UnitValue.U64 u => VariantValue.UInt64(u.Value),
        UnitValue.Bool b => VariantValue.Bool(b.Value),
        UnitValue.Exec e => SdProperty.ExecValue([new Infra.Systemd.Units.ExecCommand(e.Path, e.Argv, e.IgnoreFailure)]),
        _ => throw new ArgumentOutOfRangeException(nameof(p), p.Value, $"unit property {p.Name} has a value type with no D-Bus mapping"),
    });

    /// <inheritdoc/>
    public async Task StartTransientUnitAsync(string unitName, IReadOnlyList<UnitProperty> properties, CancellationToken ct)
    {
        var outcome = await systemd.StartTransientUnitAndWaitAsync(unitName, "fail", properties.Select(ToWire).Concat(_extra), _jobTimeout, ct).ConfigureAwait(false);
        // A failed start job is not thrown here: the runner reads the unit's state and the log and
        // reports the cause; "done" and "failed" both leave a unit to look at.
        _ = outcome;
    }

    /// <inheritdoc/>
    public async Task StopUnitAsync(string unitName, CancellationToken ct)
    {
        try { await systemd.StopUnitAndWaitAsync(unitName, _jobTimeout, ct).ConfigureAwait(false); }
        catch (NoSuchUnitException) { /* already gone */ }
    }

    /// <inheritdoc/>
    public async Task KillUnitAsync(string unitName, int signal, CancellationToken ct)
    {
        try { await systemd.KillUnitAsync(unitName, "all", signal, ct: ct).ConfigureAwait(false); }
        catch (NoSuchUnitException) { }
    }

    /// <inheritdoc/>
    public Task SetUnitPropertiesAsync(string unitName, IReadOnlyList<UnitProperty> properties, CancellationToken ct) =>
        systemd.SetUnitPropertiesAsync(unitName, runtime: true, properties.Select(ToWire), ct: ct);

    /// <inheritdoc/>
    public async Task<UnitState?> GetUnitStateAsync(string unitName, CancellationToken ct)
    {
        string path;
        try { path = await systemd.GetUnitAsync(unitName, ct: ct).ConfigureAwait(false); }
        catch (NoSuchUnitException) { return null; }
        try
        {
            var active = (string)await systemd.GetPropertyAsync(path, SystemdManager.UnitInterface, "ActiveState", ct).ConfigureAwait(false);
            var sub = (string)await systemd.GetPropertyAsync(path, SystemdManager.UnitInterface, "SubState", ct).ConfigureAwait(false);
            var pid = (uint)await systemd.GetPropertyAsync(path, SystemdManager.ServiceInterface, "MainPID", ct).ConfigureAwait(false);
            var status = (int)await systemd.GetPropertyAsync(path, SystemdManager.ServiceInterface, "ExecMainStatus", ct).ConfigureAwait(false);
            var result = (string)await systemd.GetPropertyAsync(path, SystemdManager.ServiceInterface, "Result", ct).ConfigureAwait(false);
            return new UnitState(active, sub, (int)pid, status, result);
        }
        catch (SystemdErrorException e) when (e.ErrorName is SystemdErrorNames.UnknownObject or SystemdErrorNames.UnknownMethod)
        {
            return null; // collected between GetUnit and the property reads
        }
    }

    /// <summary>The unit's control group path (e.g. /infra-vms.slice/infra-vm-x.service), empty when not running.</summary>
    public async Task<string?> GetControlGroupAsync(string unitName, CancellationToken ct)
    {
        try { return (await systemd.GetUnitStatusAsync(unitName, ct).ConfigureAwait(false)).ControlGroup; }
        catch (NoSuchUnitException) { return null; }
    }

    /// <inheritdoc/>
    public async Task ResetFailedUnitAsync(string unitName, CancellationToken ct)
    {
        try { await systemd.ResetFailedUnitAsync(unitName, ct: ct).ConfigureAwait(false); }
        catch (NoSuchUnitException) { }
    }
}
