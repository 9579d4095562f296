using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Manager;

/// <summary>The power state the controller wants.</summary>
public enum DesiredPower
{
    /// <summary>qemu runs with vCPUs running.</summary>
    Running,
    /// <summary>qemu runs with vCPUs stopped.</summary>
    Paused,
    /// <summary>No qemu.</summary>
    Stopped,
}

/// <summary>What the agent sees of a VM.</summary>
public enum ObservedPower
{
    /// <summary>qemu runs, vCPUs running.</summary>
    Running,
    /// <summary>qemu runs, vCPUs stopped.</summary>
    Paused,
    /// <summary>No qemu, because the agent stopped it as asked.</summary>
    Stopped,
    /// <summary>No qemu: the guest powered itself off (qemu exited 0 without being asked).</summary>
    Exited,
    /// <summary>No qemu: it died (signal, non-zero status, or gone without a trace).</summary>
    Crashed,
}

/// <summary>A VM as the controller wants it.</summary>
/// <param name="Definition">The resolved VM.</param>
/// <param name="Power">Its power state.</param>
/// <param name="RebootGeneration">Bumped to ask for a reboot, or to start again a VM that stopped or crashed on its own.</param>
/// <param name="ShutdownTimeout">How long a graceful shutdown may take before power off.</param>
public sealed record DesiredVm(VmDefinition Definition, DesiredPower Power, ulong RebootGeneration, TimeSpan ShutdownTimeout);

/// <summary>A VM as the agent finds it.</summary>
/// <param name="Id">The VM id.</param>
/// <param name="Power">Its power state.</param>
/// <param name="Managed">True when this agent run holds the VM (started or adopted it); false for a qemu found on disk after a restart.</param>
/// <param name="CpuMhz">The cpu_mhz its quota was last set for.</param>
/// <param name="RebootGeneration">The generation it was last started or rebooted at.</param>
/// <param name="Pid">qemu's PID (0 when not running).</param>
/// <param name="Reason">Why it is Exited or Crashed.</param>
/// <param name="Busy">An operation on it is in flight (a background shutdown or delete): this is its last observation, and nothing new is planned for it.</param>
public sealed record ObservedVm(string Id, ObservedPower Power, bool Managed, int CpuMhz, ulong RebootGeneration, int Pid = 0, string? Reason = null, bool Busy = false)
{
    /// <summary>True while qemu runs.</summary>
    public bool IsUp => Power is ObservedPower.Running or ObservedPower.Paused;
    /// <summary>SHA-256 of the config drive medium qemu holds (from the VM's record); null: none.</summary>
    public string? ConfigDriveSha256 { get; init; }
    /// <summary>The disks qemu was started with (vhost-user-blk sockets, boot order): on the root bus, never unplugged live.</summary>
    public IReadOnlyList<string> ColdDisks { get; init; } = [];
    /// <summary>The disks plugged in while it runs, each in its root port.</summary>
    public IReadOnlyList<HotDisk> HotDisks { get; init; } = [];
    /// <summary>Root ports qemu was started with (<see cref="Model.VmDefinition.HotplugSlots"/>).</summary>
    public int HotplugSlots { get; init; }
}

/// <summary>A disk plugged into a running VM: the root port it sits in and its vhost-user-blk socket.</summary>
public sealed record HotDisk(int Slot, string Socket)
{
    /// <summary>qemu's ids of the slot's chardev and device.</summary>
    public static (string Chardev, string Device) IdsOf(int slot) => ($"hvub{slot}", $"hdisk{slot}");
}
