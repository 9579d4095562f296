using Infra.Agent.Vm.Snapshots;
using Infra.Agent.Vm.Tests.Support;

namespace Infra.Agent.Vm.Tests.Hosting;

/// <summary>Group snapshots of a guest whose agent answers: frozen, snapshotted, thawed, in that order.</summary>
[Collection(AgentGuestCollection.Name)]
public sealed class GroupSnapshotWithAgentTests(AgentGuestFixture f)
{
    [Fact]
    public async Task Snapshot_WithGuestAgent_FreezesSnapshotsThawsInOrder_ExportsHoldDataAsOfSnapshot()
    {
        var dir = Path.Combine(f.T.Root, "snaps-agent");
        var before = f.T.SerialLog(f.Id).Length;
        var s1 = await f.T.Host.SnapshotAsync(f.Id, new GroupSnapshotRequest(dir, "s1"));

        Assert.True(s1.Quiesced);
        Assert.Equal(QuiesceMethod.GuestFreeze, s1.Method);
        Assert.Equal(["freeze", "snapshot ga0", "thaw"], s1.Steps);
        Assert.True(s1.FreezeWindowUs > 0);
        Assert.Null(s1.NotQuiescedBecause);
        // The guest saw freeze, then thaw.
        await f.T.WaitForSerialAsync(f.Id, "GUEST-QGA-CALL guest-fsfreeze-thaw", TimeSpan.FromSeconds(10));
        var calls = f.T.SerialLog(f.Id)[before..].Split('\n').Where(l => l.StartsWith("GUEST-QGA-CALL")).ToList();
        Assert.Equal(["GUEST-QGA-CALL guest-fsfreeze-freeze", "GUEST-QGA-CALL guest-fsfreeze-thaw"], calls);
        Assert.Equal(new Compute.Monitor.VmRunStatus(true, "running"), await f.T.Host.StatusAsync(f.Id));

        var vol = f.T.Host.VolumesOf(f.Id).Single(v => v.Spec.Id == "ga0");
        var raw1 = Path.Combine(dir, "s1.raw");
        await vol.ExportRawAsync(s1.Volumes.Single().Snapshot, raw1);
        var tick1 = Tick(VmTestHost.FirstLine(raw1));

        // The guest keeps writing; a later snapshot sees later data, the first one does not change.
        // Its ticks are 0.3 s apart only while it gets the CPU: under load (TCG, a 50 % quota) one
        // 2 s pause sometimes saw no new tick, so a later snapshot is taken again, a bounded few times.
        var tick2 = tick1;
        for (var attempt = 0; attempt < 8 && tick2 <= tick1; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var s2 = await f.T.Host.SnapshotAsync(f.Id, new GroupSnapshotRequest(dir, $"s2-{attempt}"));
            var raw2 = Path.Combine(dir, $"s2-{attempt}.raw");
            await vol.ExportRawAsync(s2.Volumes.Single().Snapshot, raw2);
            tick2 = Tick(VmTestHost.FirstLine(raw2));
        }
        Assert.True(tick2 > tick1, $"a snapshot taken later should hold a later tick than {tick1}");
        await vol.ExportRawAsync(s1.Volumes.Single().Snapshot, raw1 + ".again");
        Assert.Equal(tick1, Tick(VmTestHost.FirstLine(raw1 + ".again")));
    }

    internal static int Tick(string line)
    {
        Assert.StartsWith("TICK-", line);
        return int.Parse(line["TICK-".Length..]);
    }
}
