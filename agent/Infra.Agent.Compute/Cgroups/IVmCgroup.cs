namespace Infra.Agent.Compute.Cgroups;

/// <summary>
/// The cgroup of one VM, as created by the agent for the supervised-child runner (hosts without
/// systemd as PID 1). Under systemd the unit's own cgroup is used instead.
/// </summary>
public interface IVmCgroup
{
    /// <summary>The files a process writes its PID to in order to join (one per v1 controller, one for v2).</summary>
    IReadOnlyList<string> ProcsFiles { get; }
    /// <summary>Creates the directories (and enables controllers on v2); idempotent.</summary>
    void Create();
    /// <summary>Writes the CPU quota, weight and memory limit; used at start and on live changes.</summary>
    void Apply(VmResources resources);
    /// <summary>The current CPU quota as the kernel reports it.</summary>
    (long QuotaUs, long PeriodUs) ReadCpuQuota();
    /// <summary>The current memory limit in bytes.</summary>
    long ReadMemoryMax();
    /// <summary>True when <paramref name="pid"/> is in the VM's cpu cgroup.</summary>
    bool Contains(int pid);
    /// <summary>True when the cgroup exists.</summary>
    bool Exists { get; }
    /// <summary>Removes the directories; they must be empty of processes. Returns false if one stays.</summary>
    bool Remove();
}
