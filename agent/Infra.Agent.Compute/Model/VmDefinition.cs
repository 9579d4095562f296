namespace Infra.Agent.Compute.Model;

/// <summary>
/// A VM with every reference resolved to a host path or name: what the qemu command line is built
/// from. The southbound <c>VmSpec</c> names volumes and ports by id; the agent resolves them (volume
/// id to its qemu-storage-daemon vhost-user-blk socket, port id to its tap name and MAC) before
/// compute sees the VM, so this library knows nothing of storage or OVS.
/// </summary>
public sealed record VmDefinition
{
    /// <summary>The instance id; names the state directory, the cgroup and the unit.</summary>
    public required string Id { get; init; }
    /// <summary>The operator's name, for descriptions and logs.</summary>
    public string Name { get; init; } = "";
    /// <summary>vCPU threads.</summary>
    public required int Vcpus { get; init; }
    /// <summary>Total CPU allocation in MHz, as bought.</summary>
    public required int CpuMhz { get; init; }
    /// <summary>The cgroup quota the controller computed for CpuMhz on this host, in percent of one core; 0: none given.</summary>
    public int CpuQuotaPercent { get; init; }
    /// <summary>Guest memory in MiB.</summary>
    public required long MemoryMib { get; init; }
    /// <summary>vhost-user-blk sockets in boot order (the first is the boot disk).</summary>
    public IReadOnlyList<string> DiskSockets { get; init; } = [];
    /// <summary>NICs in guest order.</summary>
    public IReadOnlyList<VmNic> Nics { get; init; } = [];
    /// <summary>Direct kernel boot (tests, rescue); null boots from the first disk.</summary>
    public KernelBoot? Kernel { get; init; }
    /// <summary>
    /// Empty PCIe root ports for disks attached while the VM runs: on q35 a device on the root
    /// bus cannot be hot-plugged, each hot-plugged device needs a root port of its own.
    /// </summary>
    public int HotplugSlots { get; init; }
    /// <summary>The NoCloud config drive, attached read-only as a SCSI CD-ROM; null: none.</summary>
    public ConfigDriveMedium? ConfigDrive { get; init; }

    /// <summary>Every problem with the definition, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!VmIds.IsValid(Id)) errors.Add($"id '{Id}' must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
        if (Vcpus is < 1 or > 512) errors.Add($"vcpus {Vcpus} must be between 1 and 512");
        if (CpuMhz < 1) errors.Add($"cpu_mhz {CpuMhz} must be positive");
        if (CpuQuotaPercent < 0) errors.Add($"cpu_quota_percent {CpuQuotaPercent} must not be negative");
        if (MemoryMib < 16) errors.Add($"memory {MemoryMib} MiB must be at least 16 MiB");
        for (var i = 0; i < DiskSockets.Count; i++)
            if (!Path.IsPathRooted(DiskSockets[i])) errors.Add($"disk {i} socket '{DiskSockets[i]}' must be an absolute path");
        for (var i = 0; i < Nics.Count; i++) errors.AddRange(Nics[i].Validate().Select(e => $"nic {i}: {e}"));
        if (HotplugSlots is < 0 or > 32) errors.Add($"hotplug slots {HotplugSlots} must be between 0 and 32");
        if (ConfigDrive is { } cd && !Path.IsPathRooted(cd.Path)) errors.Add($"config drive '{cd.Path}' must be an absolute path");
        if (Kernel is { } k && !Path.IsPathRooted(k.KernelPath)) errors.Add($"kernel '{k.KernelPath}' must be an absolute path");
        return errors;
    }
}

/// <summary>A NIC: a tap device the network reconciler attaches to br-int by name.</summary>
public sealed record VmNic(string InterfaceName, string MacAddress)
{
    /// <summary>Problems with the NIC.</summary>
    public IEnumerable<string> Validate()
    {
        // Linux limits interface names to 15 bytes (IFNAMSIZ - 1); commas would break qemu's option parser.
        if (InterfaceName.Length is < 1 or > 15 || InterfaceName.Any(c => c is ',' or '/' or ' ' or '='))
            yield return $"interface name '{InterfaceName}' must be 1-15 characters without ',', '/', '=' or spaces";
        if (!System.Text.RegularExpressions.Regex.IsMatch(MacAddress, "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$"))
            yield return $"MAC '{MacAddress}' must look like 02:00:00:00:00:01";
    }
}

/// <summary>
/// A config drive image: its path and the SHA-256 of its bytes. The hash is what tells the
/// reconciler that the medium a running VM holds is out of date (the agent rewrote the file).
/// </summary>
public sealed record ConfigDriveMedium(string Path, string Sha256)
{
    /// <summary>qemu's id of the CD-ROM device (what blockdev-change-medium names).</summary>
    public const string DeviceId = "cidata";
}

/// <summary>Direct kernel boot.</summary>
public sealed record KernelBoot(string KernelPath, string? InitrdPath = null, string? Append = null);

/// <summary>Rules for VM ids, which end up in paths, cgroup and unit names.</summary>
public static class VmIds
{
    /// <summary>True when the id is safe as a path component, cgroup name and unit name part.</summary>
    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 64 && id[0] is not ('.' or '-')
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
