using Infra.Controller.Domain.Commands;

namespace Infra.Controller.Domain.Validation;

/// <summary>
/// Instance sizing. cpu_mhz is the total CPU bought, apart from the vCPU count, but a vCPU is one
/// thread and can never use more than one core, so cpu_mhz above vcpus x 10,000 MHz (faster than
/// any core made) could never be delivered and is refused here; whether a given host's cores are
/// fast enough is placement's question (see <see cref="Compute.CpuQuota"/>). Memory is a multiple of
/// 2 MiB so it maps onto x86 huge pages when the host backs guests with them.
/// </summary>
public static class SizingValidation
{
    public const int MaxVcpus = 256;
    public const int MinCpuMhz = 100;
    public const int MaxMhzPerVcpu = 10_000;
    public const long MinMemoryMib = 64;
    public const long MaxMemoryMib = 4L * 1024 * 1024; // 4 TiB
    public const long MemoryStepMib = 2;

    public static int Vcpus(Violations v, string field, uint vcpus)
    {
        if (vcpus < 1 || vcpus > MaxVcpus) v.Add(field, $"must be 1-{MaxVcpus} vCPUs; got {vcpus}");
        return (int)Math.Min(vcpus, MaxVcpus);
    }

    public static int CpuMhz(Violations v, string field, uint mhz)
    {
        if (mhz < MinCpuMhz) v.Add(field, $"must be at least {MinCpuMhz} MHz (the total CPU across all vCPUs); got {mhz}");
        return (int)Math.Min(mhz, (uint)MaxVcpus * MaxMhzPerVcpu + 1);
    }

    public static long MemoryMib(Violations v, string field, ulong mib)
    {
        if (mib < MinMemoryMib || mib > (ulong)MaxMemoryMib)
            v.Add(field, $"must be {MinMemoryMib}-{MaxMemoryMib} MiB; got {mib}");
        else if (mib % MemoryStepMib != 0)
            v.Add(field, $"must be a multiple of {MemoryStepMib} MiB (huge-page size); use {mib + 1} or {mib - 1}");
        return (long)Math.Min(mib, (ulong)MaxMemoryMib);
    }

    /// <summary>The vcpus/cpu_mhz plausibility rule, reported on the cpu_mhz field.</summary>
    public static void Plausible(Violations v, string field, int vcpus, int cpuMhz)
    {
        if (vcpus >= 1 && cpuMhz > (long)vcpus * MaxMhzPerVcpu)
            v.Add(field, $"{cpuMhz} MHz cannot be used by {vcpus} vCPU(s): each vCPU runs on at most one core (at most {MaxMhzPerVcpu} MHz); add vCPUs or lower cpu_mhz to at most {(long)vcpus * MaxMhzPerVcpu}");
    }

    public static InstanceSize Size(Violations v, uint vcpus, uint cpuMhz, ulong memoryMib, string prefix = "")
    {
        var start = v.Count;
        var c = Vcpus(v, prefix + "vcpus", vcpus);
        var m = CpuMhz(v, prefix + "cpu_mhz", cpuMhz);
        var mem = MemoryMib(v, prefix + "memory_mib", memoryMib);
        if (v.Count == start) Plausible(v, prefix + "cpu_mhz", c, m);
        return new InstanceSize(c, m, mem);
    }

    /// <summary>The size after a resize, with the plausibility rule checked against the current size.</summary>
    public static InstanceSize Apply(Violations v, InstanceSize current, ResizeInstance resize)
    {
        var next = new InstanceSize(resize.Vcpus ?? current.Vcpus, resize.CpuMhz ?? current.CpuMhz, resize.MemoryMib ?? current.MemoryMib);
        Plausible(v, resize.CpuMhz is null ? "vcpus" : "cpu_mhz", next.Vcpus, next.CpuMhz);
        return next;
    }
}
