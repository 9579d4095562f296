using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using static Infra.Agent.Compute.Manager.VmAction;

namespace Infra.Agent.Compute.Tests.Manager;

public class VmReconcilerTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);
    private static VmDefinition Def(string id = "a", int mhz = 2000) => new() { Id = id, Vcpus = 2, CpuMhz = mhz, MemoryMib = 256 };
    private static DesiredVm Want(DesiredPower p, ulong gen = 0, int mhz = 2000, string id = "a") => new(Def(id, mhz), p, gen, T);
    private static ObservedVm Seen(ObservedPower p, bool managed = true, int mhz = 2000, ulong gen = 0, string id = "a") => new(id, p, managed, mhz, gen);
    private static IReadOnlyList<VmAction> Plan(DesiredVm? d, ObservedVm? o) => VmReconciler.Plan(d is null ? [] : [d], o is null ? [] : [o]);

    [Fact]
    public void NewVm_DesiredRunning_Starts() => Assert.Equal([new Start(Def(), false, 0)], Plan(Want(DesiredPower.Running), null));

    [Fact]
    public void NewVm_DesiredPaused_StartsPaused() => Assert.Equal([new Start(Def(), true, 0)], Plan(Want(DesiredPower.Paused), null));

    [Fact]
    public void NewVm_DesiredStopped_DoesNothing() => Assert.Empty(Plan(Want(DesiredPower.Stopped), null));

    [Fact]
    public void RunningAsDesired_DoesNothing() => Assert.Empty(Plan(Want(DesiredPower.Running), Seen(ObservedPower.Running)));

    [Fact]
    public void FoundRunningAfterRestart_IsAdoptedNotRestarted() =>
        Assert.Equal([new Adopt("a")], Plan(Want(DesiredPower.Running), Seen(ObservedPower.Running, managed: false)));

    [Fact]
    public void FoundAfterRestartWithNewCpu_AdoptsThenSetsQuota() =>
        Assert.Equal([new Adopt("a"), new SetCpu("a", 4000)], Plan(Want(DesiredPower.Running, mhz: 4000), Seen(ObservedPower.Running, managed: false)));

    [Fact]
    public void Running_DesiredStopped_StopsWithTheSpecTimeout() =>
        Assert.Equal([new Stop("a", T)], Plan(Want(DesiredPower.Stopped), Seen(ObservedPower.Running)));

    [Fact]
    public void Running_DesiredPaused_Pauses() => Assert.Equal([new Pause("a")], Plan(Want(DesiredPower.Paused), Seen(ObservedPower.Running)));

    [Fact]
    public void Paused_DesiredRunning_Resumes() => Assert.Equal([new Resume("a")], Plan(Want(DesiredPower.Running), Seen(ObservedPower.Paused)));

    [Fact]
    public void Running_GenerationBumped_Reboots() =>
        Assert.Equal([new Reboot("a", 3)], Plan(Want(DesiredPower.Running, gen: 3), Seen(ObservedPower.Running, gen: 2)));

    [Fact]
    public void StoppedOnRequest_DesiredRunning_Starts() =>
        Assert.Equal([new Start(Def(), false, 0)], Plan(Want(DesiredPower.Running), Seen(ObservedPower.Stopped)));

    [Theory]
    [InlineData(ObservedPower.Crashed)]
    [InlineData(ObservedPower.Exited)]
    public void DownOnItsOwn_StaysDownUntilGenerationBump(ObservedPower power)
    {
        Assert.Empty(Plan(Want(DesiredPower.Running, gen: 1), Seen(power, gen: 1)));
        Assert.Equal([new Start(Def(), false, 2)], Plan(Want(DesiredPower.Running, gen: 2), Seen(power, gen: 1)));
    }

    [Fact]
    public void Crashed_DesiredStopped_IsAcknowledged() =>
        Assert.Equal([new AcknowledgeStopped("a")], Plan(Want(DesiredPower.Stopped), Seen(ObservedPower.Crashed)));

    private static readonly IReadOnlySet<string> DeletedA = new HashSet<string> { "a" };

    [Fact]
    public void Tombstoned_IsDestroyed() =>
        Assert.Equal([new Destroy("a", TimeSpan.FromSeconds(30))], VmReconciler.Plan([], [Seen(ObservedPower.Running)], deleted: DeletedA));

    [Fact]
    public void TombstonedAndStopped_IsDestroyed() =>
        Assert.Equal([new Destroy("a", TimeSpan.FromSeconds(30))], VmReconciler.Plan([], [Seen(ObservedPower.Stopped)], deleted: DeletedA));

    [Theory]
    [InlineData(ObservedPower.Running)]
    [InlineData(ObservedPower.Paused)]
    [InlineData(ObservedPower.Stopped)]
    [InlineData(ObservedPower.Crashed)]
    public void OnDiskButAbsentFromDesired_IsAnOrphan_NeverTouched(ObservedPower power) =>
        Assert.Empty(Plan(null, Seen(power)));

    [Fact]
    public void OrphanFoundRunningAfterRestart_IsAdopted_NotStoppedNorDestroyed() =>
        Assert.Equal([new Adopt("a")], Plan(null, Seen(ObservedPower.Running, managed: false)));

    [Fact]
    public void EmptyDesiredState_TouchesNoRunningVm() =>
        Assert.Empty(VmReconciler.Plan([], [Seen(ObservedPower.Running, id: "a"), Seen(ObservedPower.Paused, id: "b")], deleted: new HashSet<string>()));

    [Fact]
    public void TombstoneOfAVmNotHere_DoesNothing() =>
        Assert.Empty(VmReconciler.Plan([], [], deleted: DeletedA));

    [Fact]
    public void Orphans_AreObservedVmsNeitherDesiredNorDeleted() =>
        Assert.Equal(["c"], VmReconciler.Orphans(["a"], ["a", "b", "c", "c"], new HashSet<string> { "b" }));

    [Fact]
    public void ManyVms_PlanIsOrderedById()
    {
        var plan = VmReconciler.Plan([Want(DesiredPower.Running, id: "c"), Want(DesiredPower.Running, id: "b")], [Seen(ObservedPower.Running, id: "z")],
            deleted: new HashSet<string> { "z" });
        Assert.Equal(["b", "c", "z"], plan.Select(a => a.VmId));
    }
}
