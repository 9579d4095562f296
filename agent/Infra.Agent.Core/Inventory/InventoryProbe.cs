using System.Runtime.InteropServices;
using Infra.Agent.Compute.Accel;
using Infra.V1;

namespace Infra.Agent.Core.Inventory;

/// <summary>A storage pool from the agent's config.</summary>
public sealed record StoragePoolConfig(string Name, string Path);

/// <summary>Everything the inventory probe needs from config.</summary>
/// <param name="TunnelIp">The underlay address peers reach this host's GRE port on.</param>
/// <param name="Pools">Storage pools.</param>
/// <param name="MhzPerCoreOverride">Operator-set nominal MHz (0: probe).</param>
/// <param name="ProcRoot">/proc (tests point it elsewhere).</param>
/// <param name="SysRoot">/sys.</param>
public sealed record InventoryOptions(string TunnelIp, IReadOnlyList<StoragePoolConfig> Pools, int MhzPerCoreOverride = 0, string ProcRoot = "/proc", string SysRoot = "/sys");

/// <summary>Probes what this host offers: cores, MHz per core, memory, storage pools (statvfs), tunnel IP, KVM.</summary>
public sealed class InventoryProbe(InventoryOptions options, IAcceleratorProbe accel)
{
    /// <summary>The CPU facts (also used for the VM manager's MHz per core).</summary>
    public CpuInfo ProbeCpu()
    {
        var cpu = CpuInfoParser.Parse(File.ReadAllText(Path.Combine(options.ProcRoot, "cpuinfo")), ReadOrNull(Path.Combine(options.SysRoot, "devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")));
        if (cpu.Cores == 0) cpu = cpu with { Cores = Environment.ProcessorCount };
        return options.MhzPerCoreOverride > 0 ? cpu with { MhzPerCore = options.MhzPerCoreOverride } : cpu;
    }

    /// <summary>The full inventory.</summary>
    public async Task<HostInventory> ProbeAsync(CancellationToken ct)
    {
        var cpu = ProbeCpu();
        var choice = await accel.ChooseAsync(ct);
        var inv = new HostInventory
        {
            Cores = (uint)cpu.Cores,
            MhzPerCore = (uint)cpu.MhzPerCore,
            MemoryMib = CpuInfoParser.ParseMemTotalMib(File.ReadAllText(Path.Combine(options.ProcRoot, "meminfo"))),
            TunnelIp = options.TunnelIp,
            KvmAvailable = choice.Accelerator == Compute.Qemu.Accelerator.Kvm,
            Arch = RuntimeInformation.OSArchitecture switch { Architecture.X64 => "x86_64", Architecture.Arm64 => "aarch64", var a => a.ToString().ToLowerInvariant() },
            AgentVersion = typeof(InventoryProbe).Assembly.GetName().Version?.ToString() ?? "0",
            Hostname = Environment.MachineName,
        };
        foreach (var p in options.Pools)
        {
            var (total, free) = StatVfs(p.Path);
            inv.StoragePools.Add(new StoragePool { Name = p.Name, CapacityBytes = total, FreeBytes = free });
        }
        return inv;
    }

    /// <summary>
    /// Capacity and bytes available to unprivileged users of the filesystem holding <paramref name="path"/>;
    /// (0, 0) when the path is missing or unreadable, so one bad pool cannot keep the agent from saying Hello.
    /// </summary>
    public static (ulong Total, ulong Free) StatVfs(string path)
    {
        try
        {
            if (!Directory.Exists(path)) return (0, 0);
            // DriveInfo on Unix is statvfs of the path it is given.
            var d = new DriveInfo(path);
            return ((ulong)d.TotalSize, (ulong)d.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return (0, 0); }
    }

    private static string? ReadOrNull(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return null; } catch (UnauthorizedAccessException) { return null; }
    }
}
