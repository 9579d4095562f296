namespace Infra.Agent.Compute.Cgroups;

/// <summary>
/// Where the agent makes VM cgroups: &lt;root&gt;[/&lt;own cgroup&gt;]/&lt;parent&gt;/&lt;vm id&gt;, per v1
/// controller or once on v2. Nesting under the agent's own cgroup keeps VMs inside whatever
/// limits the agent itself was started under (tests use it; hosts use the top level).
/// </summary>
public sealed record CgroupTree
{
    /// <summary>The cgroup filesystem root.</summary>
    public string Root { get; init; } = "/sys/fs/cgroup";
    /// <summary>The directory grouping all VMs.</summary>
    public string Parent { get; init; } = "infra";
    /// <summary>Create the parent below the agent's own cgroup instead of at the top.</summary>
    public bool NestUnderOwnCgroup { get; init; }
    /// <summary>The interface to write; null detects it from <see cref="Root"/>.</summary>
    public CgroupVersion? Version { get; init; }
    /// <summary>/proc/self/cgroup contents, injectable for tests; null reads the real file.</summary>
    public string? ProcSelfCgroup { get; init; }

    /// <summary>Removes the (empty) parent directories; false when a VM cgroup is still inside.</summary>
    public bool RemoveParent()
    {
        var probe = For("probe");
        return probe switch
        {
            CgroupV1 v1 => v1.RemoveParents(),
            CgroupV2 v2 => v2.RemoveParent(),
            _ => false,
        };
    }

    /// <summary>The cgroup of VM <paramref name="vmId"/>.</summary>
    public IVmCgroup For(string vmId)
    {
        if (!Model.VmIds.IsValid(vmId)) throw new ArgumentException($"'{vmId}' is not a valid VM id", nameof(vmId));
        var version = Version ?? CgroupDetector.Detect(Root);
        var own = NestUnderOwnCgroup
            ? CgroupDetector.ParseProcCgroup(ProcSelfCgroup ?? File.ReadAllText("/proc/self/cgroup"))
            : new Dictionary<string, string>();
        string Dir(string hierarchy, string key)
        {
            var baseDir = own.TryGetValue(key, out var b) ? b.TrimStart('/') : "";
            return Path.Combine(hierarchy, baseDir, Parent);
        }
        return version == CgroupVersion.V2
            ? new CgroupV2(Root, Dir(Root, ""), vmId)
            : new CgroupV1(Dir(Path.Combine(Root, "cpu"), "cpu"), Dir(Path.Combine(Root, "memory"), "memory"), vmId);
    }
}
