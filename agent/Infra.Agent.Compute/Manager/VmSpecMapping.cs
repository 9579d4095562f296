using Infra.Agent.Compute.Model;
using Infra.V1;

namespace Infra.Agent.Compute.Manager;

/// <summary>Between the southbound contract and compute's own model.</summary>
public static class VmSpecMapping
{
    /// <summary>
    /// Empty PCIe root ports every VM starts with, so that volumes attached while it runs plug in live
    /// (one port each; a port costs qemu a few KiB). More attached at once wait for the next start.
    /// </summary>
    public const int HotplugSlots = 8;

    /// <summary>
    /// A desired VM from the controller's <see cref="VmSpec"/>. Volumes and ports are resolved by the
    /// caller (storage gives each volume's vhost-user-blk socket, network each port's tap and MAC).
    /// </summary>
    public static DesiredVm ToDesired(VmSpec spec, Func<string, string> volumeSocket, Func<string, VmNic> port) =>
        new(new VmDefinition
            {
                Id = spec.Id,
                Name = spec.Name,
                Vcpus = (int)spec.Vcpus,
                CpuMhz = (int)spec.CpuMhz,
                CpuQuotaPercent = (int)spec.CpuQuotaPercent,
                MemoryMib = (long)spec.MemoryMib,
                DiskSockets = spec.VolumeIds.Select(volumeSocket).ToList(),
                Nics = spec.PortIds.Select(port).ToList(),
                HotplugSlots = HotplugSlots,
            },
            spec.PowerState switch
            {
                InstanceState.Stopped => DesiredPower.Stopped,
                InstanceState.Paused => DesiredPower.Paused,
                _ => DesiredPower.Running,
            },
            spec.RebootGeneration,
            TimeSpan.FromSeconds(spec.ShutdownTimeoutSeconds == 0 ? 60 : spec.ShutdownTimeoutSeconds));

    /// <summary>The status the agent reports for an observed VM.</summary>
    public static VmStatus ToStatus(ObservedVm vm) => new()
    {
        Id = vm.Id,
        State = vm.Power switch
        {
            ObservedPower.Running => InstanceState.Running,
            ObservedPower.Paused => InstanceState.Paused,
            ObservedPower.Stopped or ObservedPower.Exited => InstanceState.Stopped,
            _ => InstanceState.Error,
        },
        Reason = vm.Reason ?? "",
        Pid = vm.Pid,
    };
}
