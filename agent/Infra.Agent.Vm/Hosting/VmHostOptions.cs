using Infra.Agent.Compute.Manager;

namespace Infra.Agent.Vm.Hosting;

/// <summary>What owns the processes of VMs and storage daemons.</summary>
public enum Supervisor
{
    /// <summary>Transient systemd units over D-Bus: production, where systemd is PID 1.</summary>
    Systemd,
    /// <summary>Detached supervised children (VMs) and plain children (storage daemons): hosts and CI without systemd.</summary>
    Child,
    /// <summary><see cref="Systemd"/> when /run/systemd/system exists (systemd is PID 1), else <see cref="Child"/>.</summary>
    Auto,
}

/// <summary>The settings of a <see cref="VmHost"/>: compute's own plus where volumes are served.</summary>
public sealed record VmHostOptions
{
    /// <summary>The VM manager's settings (state root, MHz per core, timeouts).</summary>
    public required ComputeOptions Compute { get; init; }
    /// <summary>One run directory per volume (daemon QMP socket, pidfile, vhost-user socket) below this.</summary>
    public string VolumeRunRoot { get; init; } = "/run/infra/volumes";
    /// <summary>Who runs qemu and qemu-storage-daemon.</summary>
    public Supervisor Supervisor { get; init; } = Supervisor.Auto;
    /// <summary>The system bus address for <see cref="Supervisor.Systemd"/> (null: the default system bus).</summary>
    public string? SystemBusAddress { get; init; }
    /// <summary>How long qemu may take to announce RESUME after "cont" at start.</summary>
    public TimeSpan RunningTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long the guest may take to release a hot-unplugged disk (PCIe hot-unplug waits ~5 s for the attention button).</summary>
    public TimeSpan DeviceDeleteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem, compute's included.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>(Compute.Validate());
        if (!Path.IsPathRooted(VolumeRunRoot)) e.Add($"VolumeRunRoot '{VolumeRunRoot}' must be an absolute path");
        // sun_path holds 108 bytes: <root>/<40-char volume id>/vhost.sock.
        if (VolumeRunRoot.Length + 1 + 40 + 11 > 107) e.Add($"VolumeRunRoot '{VolumeRunRoot}' is too long for the vhost-user sockets below it (at most {107 - 52} characters)");
        if (RunningTimeout <= TimeSpan.Zero || DeviceDeleteTimeout <= TimeSpan.Zero) e.Add("timeouts must be positive");
        return e;
    }

    /// <summary>The supervisor to use on this host.</summary>
    public Supervisor Resolve() => Supervisor != Supervisor.Auto ? Supervisor
        : Directory.Exists("/run/systemd/system") ? Supervisor.Systemd : Supervisor.Child;
}
