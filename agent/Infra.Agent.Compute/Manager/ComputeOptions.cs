namespace Infra.Agent.Compute.Manager;

/// <summary>The VM manager's settings.</summary>
public sealed record ComputeOptions
{
    /// <summary>One directory per VM below this.</summary>
    public string StateRoot { get; init; } = "/var/lib/infra/agent/vms";
    /// <summary>The host's MHz per core: cpu_mhz / this = cores of quota.</summary>
    public int MhzPerCore { get; init; }
    /// <summary>Memory allowed to qemu beyond guest RAM (device state, I/O buffers, the supervisor).</summary>
    public long MemoryOverheadMib { get; init; } = 256;
    /// <summary>The qemu binary.</summary>
    public string QemuBinary { get; init; } = "/usr/bin/qemu-system-x86_64";
    /// <summary>
    /// The unprivileged account qemu runs the guest as (<c>-runas</c>). Empty keeps qemu root, for a
    /// development host without the account only; the agent warns about it.
    /// </summary>
    public string QemuUser { get; init; } = Qemu.QemuUser.DefaultName;
    /// <summary>How long to wait for a QMP socket to answer.</summary>
    public TimeSpan MonitorTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long qemu may take to exit after QMP quit before it is killed.</summary>
    public TimeSpan PowerOffTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a guest may take to release a disk being unplugged (DEVICE_DELETED); past it the unplug is retried next pass.</summary>
    public TimeSpan DeviceDeleteTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Graceful shutdown time for a VM that is no longer desired at all (deleted), before power off.</summary>
    public TimeSpan DestroyShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Run the stops and deletes that <see cref="VmManager.ReconcileAsync"/> plans in the background
    /// (the agent does): the pass returns at once and other VMs are not held up by a guest's graceful
    /// shutdown. Off, each is awaited in the pass (callers that want the result in hand).
    /// </summary>
    public bool StopInBackground { get; init; }
    /// <summary>Serial log lines quoted in a crash reason.</summary>
    public int CrashLogLines { get; init; } = 5;
    /// <summary>Cap of each of a VM's two serial log files (serial.log, serial.log.1).</summary>
    public long ConsoleLogBytes { get; init; } = Console.SerialLog.DefaultMaxBytes;

    /// <summary>Every problem with the options.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (!Path.IsPathRooted(StateRoot)) e.Add($"StateRoot '{StateRoot}' must be an absolute path");
        // sun_path holds 108 bytes; the longest socket is <root>/<64-char id>/qmp.sock.
        if (StateRoot.Length + 1 + 64 + 9 > 107) e.Add($"StateRoot '{StateRoot}' is too long for unix socket paths below it (at most {107 - 74} characters)");
        if (MhzPerCore <= 0) e.Add("MhzPerCore must be set to the host's per-core clock in MHz (e.g. 2000)");
        if (MemoryOverheadMib < 0) e.Add("MemoryOverheadMib must not be negative");
        if (ConsoleLogBytes < Console.SerialLog.MinMaxBytes) e.Add($"ConsoleLogBytes {ConsoleLogBytes} must be at least {Console.SerialLog.MinMaxBytes} (64 KiB)");
        if (MonitorTimeout <= TimeSpan.Zero || PowerOffTimeout <= TimeSpan.Zero || DeviceDeleteTimeout <= TimeSpan.Zero) e.Add("timeouts must be positive");
        return e;
    }
}
