namespace Infra.Agent.Compute.Cgroups;

/// <summary>
/// The CPU share of one VM. CPU is sold in MHz, apart from the vCPU count: a VM gets
/// cpu_mhz / mhz_per_core cores worth of time per period, however many threads it has
/// (vcpus=8, cpu_mhz=4000 on 2000 MHz cores: 200 % = 200 ms per 100 ms period). The weight
/// scales the same way so that, under contention, VMs share in proportion to what they bought
/// (one core's worth = 100, the cgroup v2 default).
/// </summary>
public sealed record CpuQuota(long QuotaUs, long PeriodUs, int Weight)
{
    /// <summary>The scheduler period: 100 ms, the kernel and systemd default.</summary>
    public const long DefaultPeriodUs = 100_000;
    /// <summary>The kernel refuses quotas under 1 ms.</summary>
    public const long MinQuotaUs = 1_000;

    /// <summary>The quota for <paramref name="cpuMhz"/> on cores of <paramref name="mhzPerCore"/>.</summary>
    public static CpuQuota For(int cpuMhz, int mhzPerCore, long periodUs = DefaultPeriodUs)
    {
        if (cpuMhz <= 0) throw new ArgumentOutOfRangeException(nameof(cpuMhz), cpuMhz, "cpu_mhz must be positive");
        if (mhzPerCore <= 0) throw new ArgumentOutOfRangeException(nameof(mhzPerCore), mhzPerCore, "the host's MHz per core must be positive; set it in the agent's config");
        var quota = Math.Max(MinQuotaUs, (long)Math.Round((double)cpuMhz * periodUs / mhzPerCore, MidpointRounding.AwayFromZero));
        var weight = (int)Math.Clamp(Math.Round(cpuMhz * 100.0 / mhzPerCore, MidpointRounding.AwayFromZero), 1, 10_000);
        return new CpuQuota(quota, periodUs, weight);
    }

    /// <summary>cgroup v2 cpu.max: "quota period".</summary>
    public string CpuMax => $"{QuotaUs} {PeriodUs}";

    /// <summary>systemd's CPUQuotaPerSecUSec: CPU time per wall-clock second.</summary>
    public ulong QuotaPerSecUs => (ulong)(QuotaUs * 1_000_000 / PeriodUs);

    /// <summary>cgroup v1 cpu.shares for the same weight (v1 default 1024 = v2 default 100).</summary>
    public long Shares => Math.Clamp(Weight * 1024L / 100, 2, 262_144);
}

/// <summary>What a VM's cgroup enforces.</summary>
public sealed record VmResources(CpuQuota Cpu, long MemoryMaxBytes)
{
    /// <summary>Resources for a VM: its quota and its guest memory plus qemu's own overhead.</summary>
    public static VmResources For(int cpuMhz, long memoryMib, int mhzPerCore, long overheadMib) =>
        new(CpuQuota.For(cpuMhz, mhzPerCore), (memoryMib + overheadMib) * 1024 * 1024);
}
