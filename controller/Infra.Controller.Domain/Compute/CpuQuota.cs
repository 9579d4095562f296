using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Compute;

/// <summary>
/// The cgroup CPU limit of an instance: cpu_mhz is turned into a share of one host core,
/// Percent = ceil(cpu_mhz x 100 / mhz_per_core). Rounding is up to a whole percent because
/// systemd's CPUQuota= takes whole percents and a customer must never get less than bought (the
/// error is under 1 % of one core). Over a 100 ms period the quota is Percent x 1000 µs, which
/// is what cgroup v2 cpu.max ("quota period") and v1 cpu.cfs_quota_us/cfs_period_us receive.
///
/// A vCPU is one thread and runs on at most one core, so an instance can use at most
/// vcpus x 100 %. When cpu_mhz exceeds vcpus x mhz_per_core the host's cores are too slow to
/// deliver it: placement must not choose such a host (<see cref="CheckHost"/>); if it happens
/// anyway (a host's reported MHz drops) the quota is capped at vcpus x 100 % and marked Capped,
/// since a larger quota would promise nothing more.
/// </summary>
public sealed record CpuQuota(int Percent, int RequestedPercent, bool Capped)
{
    public const int PeriodUs = 100_000;

    /// <summary>Microseconds per 100 ms period.</summary>
    public long QuotaUs => (long)Percent * PeriodUs / 100;

    /// <summary>cgroup v2 cpu.max content.</summary>
    public string CpuMax => $"{QuotaUs} {PeriodUs}";

    /// <summary>cgroup v1 cpu.cfs_quota_us (cpu.cfs_period_us is <see cref="PeriodUs"/>).</summary>
    public long CfsQuotaUs => QuotaUs;

    /// <summary>The systemd unit property value, for example "200%".</summary>
    public string SystemdCpuQuota => $"{Percent}%";

    public static CpuQuota Compute(int vcpus, int cpuMhz, int mhzPerCore)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vcpus, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cpuMhz, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mhzPerCore, 1);
        var requested = (int)(((long)cpuMhz * 100 + mhzPerCore - 1) / mhzPerCore);
        var cap = vcpus * 100;
        return requested > cap ? new CpuQuota(cap, requested, true) : new CpuQuota(requested, requested, false);
    }

    /// <summary>Whether a host with cores of this speed can deliver cpu_mhz with this many vCPUs.</summary>
    public static bool Deliverable(int vcpus, int cpuMhz, int mhzPerCore) => (long)cpuMhz <= (long)vcpus * mhzPerCore;

    /// <summary>Placement's check: null when the host's cores are fast enough, else why not and what to do.</summary>
    public static FailedPrecondition? CheckHost(string hostId, int vcpus, int cpuMhz, int mhzPerCore) =>
        Deliverable(vcpus, cpuMhz, mhzPerCore) ? null : new FailedPrecondition("CPU_TOO_SLOW", $"hosts/{hostId}",
            $"host {hostId} has {mhzPerCore} MHz cores, so {vcpus} vCPU(s) can use at most {(long)vcpus * mhzPerCore} MHz, "
            + $"less than the {cpuMhz} MHz asked for; add vCPUs (at least {(cpuMhz + mhzPerCore - 1) / mhzPerCore}) or lower cpu_mhz");
}
