namespace Infra.Systemd.Tests.Fixtures;

/// <summary>The fixture's own promise: a boot that fails leaves nothing behind on the host.</summary>
// In the "systemd" collection so the shared booted root is steady while we count.
[Collection("systemd")]
public sealed class SystemdRootTests
{
    [Fact]
    public void Boot_WhenABindMountFails_LeavesNoMountsCgroupsOrTempDirs()
    {
        var before = Snapshot();
        var ex = Assert.ThrowsAny<Exception>(() => new SystemdRoot([("/nonexistent/infra-bind-source", "/opt/x")]));
        Assert.Contains("/nonexistent/infra-bind-source", ex.Message);
        Assert.Equal(before, Snapshot());
    }

    // Only what this fixture names: other test projects create their own things in parallel.
    static (int Mounts, int Cgroups, int Dirs) Snapshot() =>
    (
        File.ReadLines("/proc/self/mountinfo").Count(l => l.Contains("infra-sdroot-")),
        Directory.EnumerateDirectories("/sys/fs/cgroup").Sum(h => Directory.EnumerateDirectories(h, "infra-sdroot-*").Count()),
        Directory.EnumerateDirectories(Path.GetTempPath(), "infra-sdroot-*").Count()
    );
}
