namespace Infra.Agent.Compute.Cgroups;

/// <summary>A VM cgroup on legacy hierarchies: one directory under cpu, one under memory.</summary>
internal sealed class CgroupV1(string cpuParent, string memoryParent, string vmId) : IVmCgroup
{
    private readonly string _cpu = Path.Combine(cpuParent, vmId);
    private readonly string _memory = Path.Combine(memoryParent, vmId);

    public IReadOnlyList<string> ProcsFiles => [Path.Combine(_cpu, "cgroup.procs"), Path.Combine(_memory, "cgroup.procs")];

    public bool Exists => Directory.Exists(_cpu);

    public void Create()
    {
        Directory.CreateDirectory(_cpu);
        Directory.CreateDirectory(_memory);
    }

    public void Apply(VmResources r)
    {
        // Period before quota: the kernel checks quota against the period already in place.
        CgroupFiles.Write(Path.Combine(_cpu, "cpu.cfs_period_us"), r.Cpu.PeriodUs.ToString());
        CgroupFiles.Write(Path.Combine(_cpu, "cpu.cfs_quota_us"), r.Cpu.QuotaUs.ToString());
        CgroupFiles.Write(Path.Combine(_cpu, "cpu.shares"), r.Cpu.Shares.ToString());
        CgroupFiles.Write(Path.Combine(_memory, "memory.limit_in_bytes"), r.MemoryMaxBytes.ToString());
    }

    public (long QuotaUs, long PeriodUs) ReadCpuQuota() =>
        (long.Parse(File.ReadAllText(Path.Combine(_cpu, "cpu.cfs_quota_us")).Trim()),
         long.Parse(File.ReadAllText(Path.Combine(_cpu, "cpu.cfs_period_us")).Trim()));

    public long ReadMemoryMax() => long.Parse(File.ReadAllText(Path.Combine(_memory, "memory.limit_in_bytes")).Trim());

    public bool Contains(int pid) => CgroupFiles.ProcsContain(Path.Combine(_cpu, "cgroup.procs"), pid);

    public bool RemoveParents() => CgroupFiles.RemoveDir(cpuParent) & CgroupFiles.RemoveDir(memoryParent);

    public bool Remove() => CgroupFiles.RemoveDir(_cpu) & CgroupFiles.RemoveDir(_memory);
}
