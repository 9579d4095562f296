using Infra.Agent.Compute.Cgroups;

namespace Infra.Agent.Compute.Tests.Cgroups;

public sealed class CgroupDetectorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("infra-cg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Detect_UnifiedRoot_IsV2()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpu memory pids\n");
        Assert.Equal(CgroupVersion.V2, CgroupDetector.Detect(_root));
    }

    [Fact]
    public void Detect_HybridWithEmptyUnifiedMount_IsV1()
    {
        Directory.CreateDirectory(Path.Combine(_root, "cpu"));
        Directory.CreateDirectory(Path.Combine(_root, "memory"));
        Directory.CreateDirectory(Path.Combine(_root, "unified"));
        File.WriteAllText(Path.Combine(_root, "cpu", "cpu.cfs_quota_us"), "-1\n");
        File.WriteAllText(Path.Combine(_root, "memory", "memory.limit_in_bytes"), "9223372036854771712\n");
        File.WriteAllText(Path.Combine(_root, "unified", "cgroup.controllers"), "");
        Assert.Equal(CgroupVersion.V1, CgroupDetector.Detect(_root));
    }

    [Fact]
    public void Detect_NoHierarchy_SaysWhatToMount()
    {
        var e = Assert.Throws<InvalidOperationException>(() => CgroupDetector.Detect(_root));
        Assert.Contains("mount cgroup2", e.Message);
    }

    [Fact]
    public void Detect_ThisHost_FindsAHierarchy()
    {
        // This machine class is v1 hybrid, production hosts v2: either way detection must succeed.
        Assert.True(Enum.IsDefined(CgroupDetector.Detect()));
    }

    [Fact]
    public void ParseProcCgroup_MapsEachControllerIncludingJoinedOnes()
    {
        var map = CgroupDetector.ParseProcCgroup("4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/user.slice\n");
        Assert.Equal("/process_api/abc", map["memory"]);
        Assert.Equal("/", map["cpu"]);
        Assert.Equal("/", map["cpuacct"]);
        Assert.Equal("/user.slice", map[""]);
    }

    [Fact]
    public void V2_CreateAndApply_EnablesControllersAndWritesCpuMaxWeightAndMemoryMax()
    {
        // No cgroup v2 here to write to: a directory with the same file names stands in for the
        // writer's file format; the v1 writer is exercised against the real kernel elsewhere.
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpu memory\n");
        var tree = new CgroupTree { Root = _root, Parent = "infra", Version = CgroupVersion.V2 };
        var cg = tree.For("vm-1");
        cg.Create();
        cg.Apply(VmResources.For(200, 8, 512, 256));
        Assert.Equal("+cpu +memory", File.ReadAllText(Path.Combine(_root, "cgroup.subtree_control")));
        Assert.Equal("+cpu +memory", File.ReadAllText(Path.Combine(_root, "infra", "cgroup.subtree_control")));
        Assert.Equal("200000 100000", File.ReadAllText(Path.Combine(_root, "infra", "vm-1", "cpu.max")));
        Assert.Equal("200", File.ReadAllText(Path.Combine(_root, "infra", "vm-1", "cpu.weight")));
        Assert.Equal((768L * 1024 * 1024).ToString(), File.ReadAllText(Path.Combine(_root, "infra", "vm-1", "memory.max")));
        Assert.Equal((200_000L, 100_000L), cg.ReadCpuQuota());
        Assert.Equal(768L * 1024 * 1024, cg.ReadMemoryMax());
        Assert.Equal([Path.Combine(_root, "infra", "vm-1", "cgroup.procs")], cg.ProcsFiles);
    }

    [Fact]
    public void Tree_NestUnderOwnCgroup_PlacesV1DirsBelowTheProcessCgroupPerController()
    {
        var tree = new CgroupTree
        {
            Root = _root, Parent = "infra-t", Version = CgroupVersion.V1, NestUnderOwnCgroup = true,
            ProcSelfCgroup = "4:memory:/sandbox/1\n1:cpu:/\n",
        };
        var cg = tree.For("vm-9");
        Assert.Equal([Path.Combine(_root, "cpu", "infra-t", "vm-9", "cgroup.procs"), Path.Combine(_root, "memory", "sandbox/1", "infra-t", "vm-9", "cgroup.procs")], cg.ProcsFiles);
    }
}
