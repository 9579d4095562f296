namespace Infra.Agent.Compute.Monitor;

/// <summary>
/// What compute needs from a QMP connection to one qemu. The real client (agent/Infra.Qmp) is
/// plugged in through <see cref="IVmMonitorFactory"/>; compute never speaks QMP itself.
/// Every call fails with an exception when the connection is closed (qemu gone).
/// </summary>
public interface IVmMonitor : IAsyncDisposable
{
    /// <summary>query-status.</summary>
    Task<VmRunStatus> QueryStatusAsync(CancellationToken ct);
    /// <summary>system_powerdown: ask the guest (ACPI) to power off.</summary>
    Task SystemPowerdownAsync(CancellationToken ct);
    /// <summary>system_reset: hard reset of the guest, qemu keeps running.</summary>
    Task SystemResetAsync(CancellationToken ct);
    /// <summary>stop: pause the vCPUs.</summary>
    Task StopAsync(CancellationToken ct);
    /// <summary>cont: resume the vCPUs.</summary>
    Task ContAsync(CancellationToken ct);
    /// <summary>quit: qemu exits at once (power off without asking the guest).</summary>
    Task QuitAsync(CancellationToken ct);
    /// <summary>blockdev-change-medium: replace the medium of removable device <paramref name="deviceId"/>
    /// with the raw image at <paramref name="path"/>, read-only, even when the guest locked the tray.</summary>
    Task ChangeMediumAsync(string deviceId, string path, CancellationToken ct) =>
        throw new NotSupportedException("this monitor cannot change media");
    /// <summary>Hot-plug: chardev-add <paramref name="chardevId"/> (client of the vhost-user-blk socket
    /// <paramref name="socketPath"/>), then device_add vhost-user-blk-pci <paramref name="deviceId"/> on
    /// root port <paramref name="bus"/>; the chardev is removed again when the device cannot be added.</summary>
    Task AttachDiskAsync(string chardevId, string deviceId, string socketPath, string bus, CancellationToken ct) =>
        throw new NotSupportedException("this monitor cannot hot-plug disks");
    /// <summary>Hot-unplug: device_del, wait up to <paramref name="timeout"/> for DEVICE_DELETED (sent once
    /// the guest let go of the disk), then chardev-remove. A device already gone counts as unplugged.</summary>
    Task DetachDiskAsync(string chardevId, string deviceId, TimeSpan timeout, CancellationToken ct) =>
        throw new NotSupportedException("this monitor cannot hot-unplug disks");
    /// <summary>QMP events (SHUTDOWN, RESET, STOP, RESUME, ...) as they arrive; ends when the connection closes.</summary>
    IAsyncEnumerable<VmEvent> EventsAsync(CancellationToken ct);
}

/// <summary>Opens monitor connections.</summary>
public interface IVmMonitorFactory
{
    /// <summary>Connects to the QMP socket and completes the capabilities handshake.</summary>
    Task<IVmMonitor> ConnectAsync(string qmpSocketPath, TimeSpan timeout, CancellationToken ct);
}

/// <summary>query-status's answer.</summary>
/// <param name="Running">True while vCPUs run.</param>
/// <param name="Status">qemu's RunState string ("running", "paused", "prelaunch", "shutdown", "internal-error", ...).</param>
public sealed record VmRunStatus(bool Running, string Status);

/// <summary>A QMP event: its name and its data as JSON text (may be "{}").</summary>
public sealed record VmEvent(string Name, string DataJson);
