using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Qemu;

/// <summary>Everything the command line depends on besides the VM itself.</summary>
public sealed record QemuLaunch
{
    /// <summary>The qemu binary.</summary>
    public string QemuBinary { get; init; } = "/usr/bin/qemu-system-x86_64";
    /// <summary>The accelerator the probe chose.</summary>
    public required Accelerator Accelerator { get; init; }
    /// <summary>The VM's state directory layout (sockets, pidfile, logs).</summary>
    public required VmPaths Paths { get; init; }
    /// <summary>Start with vCPUs stopped (-S); the manager uses this for a VM desired PAUSED.</summary>
    public bool StartPaused { get; init; }
    /// <summary>The account qemu drops to before the guest runs (<c>-runas</c>); null keeps root (tests of the command line only).</summary>
    public string? RunAs { get; init; }
}
