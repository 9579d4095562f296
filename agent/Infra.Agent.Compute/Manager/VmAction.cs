using Infra.Agent.Compute.Model;

namespace Infra.Agent.Compute.Manager;

/// <summary>One step the manager takes to move a VM toward its desired state.</summary>
public abstract record VmAction(string VmId)
{
    /// <summary>Take over a running qemu found after an agent restart (connect QMP, track it).</summary>
    public sealed record Adopt(string Id) : VmAction(Id);
    /// <summary>Start qemu (paused when the VM is desired paused).</summary>
    public sealed record Start(VmDefinition Definition, bool Paused, ulong RebootGeneration) : VmAction(Definition.Id);
    /// <summary>Graceful shutdown, power off after the timeout.</summary>
    public sealed record Stop(string Id, TimeSpan Timeout) : VmAction(Id);
    /// <summary>Stop the vCPUs.</summary>
    public sealed record Pause(string Id) : VmAction(Id);
    /// <summary>Resume the vCPUs.</summary>
    public sealed record Resume(string Id) : VmAction(Id);
    /// <summary>Reset the guest in place.</summary>
    public sealed record Reboot(string Id, ulong RebootGeneration) : VmAction(Id);
    /// <summary>Rewrite the CPU quota for a new cpu_mhz (and the quota the controller computed for it).</summary>
    public sealed record SetCpu(string Id, int CpuMhz, int CpuQuotaPercent = 0) : VmAction(Id);
    /// <summary>Swap the config drive's medium for the rewritten image, live.</summary>
    public sealed record ChangeConfigDrive(string Id, ConfigDriveMedium Medium) : VmAction(Id);
    /// <summary>Plug the disk served at <paramref name="Socket"/> into the running VM, on empty root port <paramref name="Slot"/>.</summary>
    public sealed record AttachDisk(string Id, string Socket, int Slot) : VmAction(Id);
    /// <summary>Unplug the hot-plugged disk in <paramref name="Slot"/> (the guest must let go of it first).</summary>
    public sealed record DetachDisk(string Id, string Socket, int Slot) : VmAction(Id);
    /// <summary>Record that a VM that stopped on its own is now stopped as desired, so a later start needs no generation bump.</summary>
    public sealed record AcknowledgeStopped(string Id) : VmAction(Id);
    /// <summary>Stop (if up) and remove every trace of the VM.</summary>
    public sealed record Destroy(string Id, TimeSpan Timeout) : VmAction(Id);
}
