using Infra.Agent.Compute.Manager;
using Infra.Agent.Compute.Model;
using static Infra.Agent.Compute.Manager.VmAction;

namespace Infra.Agent.Compute.Tests.Manager;

/// <summary>Disks added to or removed from a running VM's desired definition become hot-plug actions.</summary>
public class VmReconcilerDiskTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);
    private static DesiredVm Want(DesiredPower power, params string[] disks) =>
        new(new VmDefinition { Id = "a", Vcpus = 1, CpuMhz = 2000, MemoryMib = 256, DiskSockets = disks, HotplugSlots = 2 }, power, 0, T);
    private static ObservedVm Seen(string[] cold, HotDisk[]? hot = null, int slots = 2, ObservedPower power = ObservedPower.Running, bool managed = true) =>
        new("a", power, managed, 2000, 0) { ColdDisks = cold, HotDisks = hot ?? [], HotplugSlots = slots };
    private static IReadOnlyList<VmAction> Plan(DesiredVm d, ObservedVm o) => VmReconciler.Plan([d], [o]);

    [Fact]
    public void SameDisks_NothingToDo() =>
        Assert.Empty(Plan(Want(DesiredPower.Running, "/v/boot", "/v/data"), Seen(["/v/boot"], [new HotDisk(0, "/v/data")])));

    [Fact]
    public void NewDisk_IsPluggedIntoTheFirstFreePort() =>
        Assert.Equal([new AttachDisk("a", "/v/data", 0)], Plan(Want(DesiredPower.Running, "/v/boot", "/v/data"), Seen(["/v/boot"])));

    [Fact]
    public void NewDisk_SkipsPortsInUse() =>
        Assert.Equal([new AttachDisk("a", "/v/d2", 1)],
            Plan(Want(DesiredPower.Running, "/v/boot", "/v/d1", "/v/d2"), Seen(["/v/boot"], [new HotDisk(0, "/v/d1")])));

    [Fact]
    public void HotPluggedDiskNoLongerWanted_IsUnplugged() =>
        Assert.Equal([new DetachDisk("a", "/v/data", 0)], Plan(Want(DesiredPower.Running, "/v/boot"), Seen(["/v/boot"], [new HotDisk(0, "/v/data")])));

    [Fact]
    public void SwappedDisk_UnplugsFirst_ThenReusesThePort() =>
        Assert.Equal([new DetachDisk("a", "/v/old", 0), new AttachDisk("a", "/v/new", 0)],
            Plan(Want(DesiredPower.Running, "/v/boot", "/v/new"), Seen(["/v/boot"], [new HotDisk(0, "/v/old")], slots: 1)));

    [Fact]
    public void ColdDiskNoLongerWanted_WaitsForTheNextStart() =>
        Assert.Empty(Plan(Want(DesiredPower.Running, "/v/boot"), Seen(["/v/boot", "/v/data"])));

    [Fact]
    public void NoFreePort_TheDiskWaitsForTheNextStart() =>
        Assert.Equal([new AttachDisk("a", "/v/d1", 0)], Plan(Want(DesiredPower.Running, "/v/boot", "/v/d1", "/v/d2"), Seen(["/v/boot"], slots: 1)));

    [Fact]
    public void VmStartedWithoutPorts_GetsNoHotPlug() =>
        Assert.Empty(Plan(Want(DesiredPower.Running, "/v/boot", "/v/data"), Seen(["/v/boot"], slots: 0)));

    [Fact]
    public void FoundAfterAgentRestart_AdoptsThenPlugs() =>
        Assert.Equal([new Adopt("a"), new AttachDisk("a", "/v/data", 0)], Plan(Want(DesiredPower.Running, "/v/boot", "/v/data"), Seen(["/v/boot"], managed: false)));

    [Fact]
    public void DesiredStopped_StopsWithoutTouchingDisks() =>
        Assert.Equal([new Stop("a", T)], Plan(Want(DesiredPower.Stopped, "/v/boot"), Seen(["/v/boot"], [new HotDisk(0, "/v/data")])));

    [Fact]
    public void StoppedVm_GetsItsDisksAtStart_NotByHotPlug() =>
        Assert.All(Plan(Want(DesiredPower.Running, "/v/boot", "/v/data"), Seen(["/v/boot"], power: ObservedPower.Stopped)), a => Assert.IsType<Start>(a));
}
