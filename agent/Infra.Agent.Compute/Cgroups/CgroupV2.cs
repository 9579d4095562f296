namespace Infra.Agent.Compute.Cgroups;

/// <summary>A VM cgroup on the unified hierarchy: one directory with cpu.max, cpu.weight, memory.max.</summary>
internal sealed class CgroupV2(string root, string parent, string vmId) : IVmCgroup
{
    private readonly string _dir = Path.Combine(parent, vmId);

    public IReadOnlyList<string> ProcsFiles => [Path.Combine(_dir, "cgroup.procs")];

    public bool Exists => Directory.Exists(_dir);

    public void Create()
    {
        Directory.CreateDirectory(_dir);
        // A controller is usable in a cgroup only when every ancestor enables it for its children.
        var rootFull = Path.GetFullPath(root);
        var chain = new List<string>();
        for (var d = Path.GetFullPath(parent); d.Length >= rootFull.Length; d = Path.GetDirectoryName(d)!)
        {
            chain.Add(d);
            if (d == rootFull) break;
        }
        chain.Reverse();
        foreach (var dir in chain)
        {
            var control = Path.Combine(dir, "cgroup.subtree_control");
            var enabled = File.Exists(control) ? File.ReadAllText(control) : "";
            if (!enabled.Contains("cpu") || !enabled.Contains("memory"))
                CgroupFiles.Write(control, "+cpu +memory");
        }
    }

    public void Apply(VmResources r)
    {
        CgroupFiles.Write(Path.Combine(_dir, "cpu.max"), r.Cpu.CpuMax);
        CgroupFiles.Write(Path.Combine(_dir, "cpu.weight"), r.Cpu.Weight.ToString());
        CgroupFiles.Write(Path.Combine(_dir, "memory.max"), r.MemoryMaxBytes.ToString());
    }

    public (long QuotaUs, long PeriodUs) ReadCpuQuota()
    {
        var parts = File.ReadAllText(Path.Combine(_dir, "cpu.max")).Trim().Split(' ');
        return (parts[0] == "max" ? -1 : long.Parse(parts[0]), long.Parse(parts[1]));
    }

    public long ReadMemoryMax()
    {
        var v = File.ReadAllText(Path.Combine(_dir, "memory.max")).Trim();
        return v == "max" ? long.MaxValue : long.Parse(v);
    }

    public bool Contains(int pid) => CgroupFiles.ProcsContain(Path.Combine(_dir, "cgroup.procs"), pid);

    public bool RemoveParent() => CgroupFiles.RemoveDir(parent);

    public bool Remove() => CgroupFiles.RemoveDir(_dir);
}
