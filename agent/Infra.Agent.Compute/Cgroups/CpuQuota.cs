namespace Infra.Agent.Compute.Cgroups;

/// <summary>
/// The CPU share of one VM as the cgroup takes it. CPU is sold in MHz, apart from the vCPU count;
/// the controller turns cpu_mhz into a percent of one of this host's cores (VmSpec.cpu_quota_percent,
/// its formula, not ours: vcpus=8, cpu_mhz=4000 on 2000 MHz cores is 200 %) and the agent only
/// enforces it: 200 % = 200 ms per 100 ms period. The weight is the same percent so that, under
/// contention, VMs share in proportion to what they bought (one core's worth = 100, the v2 default).
/// </summary>
public sealed record CpuQuota(long QuotaUs, long PeriodUs, int Weight)
{
    /// <summary>The scheduler period: 100 ms, the kernel and systemd default.</summary>
    public const long DefaultPeriodUs = 100_000;
    /// <summary>The kernel refuses quotas under 1 ms.</summary>
    public const long MinQuotaUs = 1_000;

    /// <summary>The quota for <paramref name="percent"/> of one core per period.</summary>
    public static CpuQuota For(int percent, long periodUs = DefaultPeriodUs)
    {
        if (percent <= 0) throw new ArgumentOutOfRangeException(nameof(percent), percent, "the CPU quota percent must be positive; the controller sends it as VmSpec.cpu_quota_percent");
        var quota = Math.Max(MinQuotaUs, (long)percent * periodUs / 100);
        return new CpuQuota(quota, periodUs, Math.Clamp(percent, 1, 10_000));
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
    /// <summary>
    /// Resources for a VM: the controller's quota (none given: its <paramref name="vcpus"/> threads, the
    /// most it could use anyway) and its guest memory plus qemu's own overhead.
    /// </summary>
    public static VmResources For(int cpuQuotaPercent, int vcpus, long memoryMib, long overheadMib) =>
        new(CpuQuota.For(cpuQuotaPercent > 0 ? cpuQuotaPercent : Math.Max(1, vcpus) * 100), (memoryMib + overheadMib) * 1024 * 1024);
}
