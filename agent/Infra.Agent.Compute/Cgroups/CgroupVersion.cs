namespace Infra.Agent.Compute.Cgroups;

/// <summary>Which cgroup interface the host exposes.</summary>
public enum CgroupVersion
{
    /// <summary>Legacy per-controller hierarchies (/sys/fs/cgroup/cpu, /sys/fs/cgroup/memory, ...).</summary>
    V1,
    /// <summary>The unified hierarchy (/sys/fs/cgroup/cgroup.controllers).</summary>
    V2,
}

/// <summary>Finds out which cgroup interface to write.</summary>
public static class CgroupDetector
{
    /// <summary>
    /// V2 when the root is a unified mount; V1 when the cpu and memory hierarchies exist. A hybrid
    /// host (v1 hierarchies plus an empty /sys/fs/cgroup/unified) counts as V1: its v2 mount has no
    /// controllers to limit anything with.
    /// </summary>
    public static CgroupVersion Detect(string root = "/sys/fs/cgroup")
    {
        if (File.Exists(Path.Combine(root, "cgroup.controllers"))) return CgroupVersion.V2;
        if (File.Exists(Path.Combine(root, "cpu", "cpu.cfs_quota_us")) && File.Exists(Path.Combine(root, "memory", "memory.limit_in_bytes")))
            return CgroupVersion.V1;
        throw new InvalidOperationException(
            $"no usable cgroup hierarchy under {root}: neither {root}/cgroup.controllers (v2) nor {root}/cpu and {root}/memory (v1) exist; mount cgroup2 on {root} or the v1 cpu and memory controllers");
    }

    /// <summary>
    /// The calling process's own cgroup per controller, from /proc/self/cgroup text: v1 lines
    /// "4:memory:/a/b" map each controller; the v2 line "0::/a/b" maps the key "".
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseProcCgroup(string text)
    {
        var map = new Dictionary<string, string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            foreach (var c in parts[1].Split(','))
                map[c] = parts[2];
        }
        return map;
    }
}
