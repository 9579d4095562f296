using Infra.Agent.Vm.Snapshots;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>Group snapshots of a guest with no agent: vCPUs stopped around the group, or a clear refusal.</summary>
public sealed class GroupSnapshotNoAgentTests(NoAgentGuestFixture f) : IClassFixture<NoAgentGuestFixture>
{
    private static GroupSnapshotRequest Request(string dir, string tag, bool require = false) =>
        new(dir, tag, require) { AgentTimeout = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task Snapshot_WithoutAgent_StopsVcpusAroundGroup_CrashConsistent()
    {
        await f.T.WaitForSerialAsync(f.Id, "GUEST-BOOTED", TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1)); // let the ticker write a few times
        var dir = Path.Combine(f.T.Root, "snaps-noagent");
        var s = await f.T.Host.SnapshotAsync(f.Id, Request(dir, "c1"));

        Assert.False(s.Quiesced);
        Assert.Equal(QuiesceMethod.VcpuPause, s.Method);
        Assert.NotNull(s.NotQuiescedBecause);
        Assert.Equal("stop", s.Steps[0]);
        Assert.Equal("cont", s.Steps[^1]);
        Assert.Equal(["snapshot gn0", "snapshot gn1"], s.Steps.Skip(1).Take(2).Order());
        Assert.True(s.FreezeWindowUs > 0);
        Assert.Equal(new Compute.Monitor.VmRunStatus(true, "running"), await f.T.Host.StatusAsync(f.Id));

        // Both disks were cut while no vCPU ran: the ticker writes vda then vdb, so vda is at most one ahead.
        var ticks = new Dictionary<string, int>();
        foreach (var m in s.Volumes)
        {
            var raw = Path.Combine(dir, m.VolumeId + ".raw");
            await f.T.Host.VolumesOf(f.Id).Single(v => v.Spec.Id == m.VolumeId).ExportRawAsync(m.Snapshot, raw);
            ticks[m.VolumeId] = GroupSnapshotWithAgentTests.Tick(VmTestHost.FirstLine(raw));
        }
        Assert.InRange(ticks["gn0"] - ticks["gn1"], 0, 1);
    }

    [Fact]
    public async Task Snapshot_RequireQuiesceWithoutAgent_FailsClearly_LeavesVmRunningAndVolumesUntouched()
    {
        var dir = Path.Combine(f.T.Root, "snaps-require");
        var tops = f.T.Host.VolumesOf(f.Id).Select(v => v.TopNode).ToList();
        var e = await Assert.ThrowsAsync<SnapshotNotQuiescedException>(() => f.T.Host.SnapshotAsync(f.Id, Request(dir, "q1", require: true)));
        Assert.Contains("qemu-guest-agent", e.Message);
        Assert.Equal(new Compute.Monitor.VmRunStatus(true, "running"), await f.T.Host.StatusAsync(f.Id));
        Assert.Equal(tops, f.T.Host.VolumesOf(f.Id).Select(v => v.TopNode));
        Assert.Empty(Directory.GetFiles(dir));
    }
}
