namespace Infra.Systemd.Tests.Fixtures;

/// <summary>
/// A fresh cgroup per booted root, in every hierarchy the host has mounted (cgroup v1, hybrid or
/// pure v2). Init is moved into it before it unshares its cgroup namespace, so the booted systemd
/// sees this cgroup as "/" and builds system.slice inside it, never in the host's tree. The root's
/// /sys/fs/cgroup is a private tmpfs with these cgroups bind-mounted, so systemd's remount of that
/// tmpfs read-only and its mkdirs there cannot touch the host's /sys/fs/cgroup.
/// </summary>
sealed class CgroupSandbox
{
    readonly string _name;
    readonly List<(string Mount, string Dir)> _hierarchies = new(); // host mount point, our cgroup dir
    readonly List<(string Link, string Target)> _symlinks = new();

    public CgroupSandbox(string name)
    {
        _name = name;
        IsUnifiedOnly = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        if (IsUnifiedOnly)
        {
            _hierarchies.Add(("/sys/fs/cgroup", Path.Combine("/sys/fs/cgroup", name)));
            return;
        }
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            int dash = Array.IndexOf(f, "-");
            var mountPoint = f[4];
            if (dash < 0 || f[dash + 1] is not ("cgroup" or "cgroup2") || Path.GetDirectoryName(mountPoint) != "/sys/fs/cgroup") continue;
            _hierarchies.Add((mountPoint, Path.Combine(mountPoint, name)));
        }
        foreach (var entry in new DirectoryInfo("/sys/fs/cgroup").EnumerateFileSystemInfos())
            if (entry.LinkTarget is { } target) _symlinks.Add((entry.Name, target));
    }

    public bool IsUnifiedOnly { get; }

    /// <summary>Creates the cgroups; returns the cgroup.procs files init must write its PID into.</summary>
    public IReadOnlyList<string> Create()
    {
        foreach (var (mount, dir) in _hierarchies)
        {
            Directory.CreateDirectory(dir);
            if (Path.GetFileName(mount).Contains("cpuset"))
            {
                // A v1 cpuset cgroup accepts no process until it has CPUs and memory nodes.
                foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
                    File.WriteAllText(Path.Combine(dir, file), File.ReadAllText(Path.Combine(mount, file)).Trim());
            }
        }
        return _hierarchies.Select(h => Path.Combine(h.Dir, "cgroup.procs")).ToArray();
    }

    /// <summary>Mount commands (source, target inside the root) that present our cgroups as the root's /sys/fs/cgroup.</summary>
    public void MountInto(string root, Action<string[]> mount)
    {
        var cg = Path.Combine(root, "sys/fs/cgroup");
        if (IsUnifiedOnly)
        {
            mount(["--bind", _hierarchies[0].Dir, cg]);
            return;
        }
        mount(["-t", "tmpfs", "-o", "mode=755", "tmpfs", cg]);
        foreach (var (mountPoint, dir) in _hierarchies)
        {
            var inside = Path.Combine(cg, Path.GetFileName(mountPoint));
            Directory.CreateDirectory(inside);
            mount(["--bind", dir, inside]);
        }
        foreach (var (link, target) in _symlinks) File.CreateSymbolicLink(Path.Combine(cg, link), target);
    }

    /// <summary>Host path of <paramref name="controlGroup"/> (as systemd reports it) in the hierarchy holding <paramref name="controller"/>.</summary>
    public string HostPath(string controller, string controlGroup)
    {
        if (IsUnifiedOnly) return _hierarchies[0].Dir + controlGroup;
        var h = _hierarchies.First(h => Path.GetFileName(h.Mount).Split(',').Contains(controller));
        return h.Dir + controlGroup;
    }

    /// <summary>Removes our cgroups bottom-up; cgroups still holding dying processes are retried, bounded.</summary>
    public IReadOnlyList<string> Remove()
    {
        var left = new List<string>();
        foreach (var (_, dir) in _hierarchies)
        {
            if (!Directory.Exists(dir)) continue;
            for (int attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    foreach (var sub in Directory.GetDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                        Directory.Delete(sub);
                    Directory.Delete(dir);
                    break;
                }
                catch (IOException) when (attempt < 49) { Thread.Sleep(100); }
                catch (IOException) { left.Add(dir); }
            }
        }
        return left;
    }
}
