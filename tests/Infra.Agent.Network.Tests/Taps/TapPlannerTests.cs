using Infra.Agent.Network.Taps;

namespace Infra.Agent.Network.Tests.Taps;

public sealed class TapPlannerTests
{
    const string A = "tap00000000000a", B = "tap00000000000b", Old = "tap0000000000f0";
    static readonly HashSet<string> None = [];

    static DesiredTap Want(string name, string port = "p1", string vm = "vm1") => new(name, port, vm);

    [Fact]
    public void Plan_NewNic_CreatesItsTap()
    {
        var plan = TapPlanner.Plan([Want(A)], None, [], 1500);
        Assert.Equal([new TapAction.Create(A, 1500)], plan);
    }

    [Fact]
    public void Plan_TapAlreadyThereAndUp_IsAdoptedWithoutAnyAction()
    {
        // After an agent restart the running qemu holds the tap: it must never be recreated.
        Assert.Empty(TapPlanner.Plan([Want(A)], None, [new ObservedTap(A, Up: true, Mtu: 1500)], 1500));
    }

    [Fact]
    public void Plan_TapDownOrWithAnotherMtu_IsFixedInPlace()
    {
        var plan = TapPlanner.Plan([Want(A)], None, [new ObservedTap(A, Up: false, Mtu: 9000)], 1500);
        Assert.Equal([new TapAction.SetMtu(A, 1500), new TapAction.SetUp(A)], plan);
    }

    [Fact]
    public void Plan_TapOfAGoneVm_IsRemoved()
    {
        var plan = TapPlanner.Plan([Want(A)], None, [new ObservedTap(A, true, 1500), new ObservedTap(Old, true, 1500)], 1500);
        Assert.Equal([new TapAction.Remove(Old)], plan);
    }

    [Fact]
    public void Plan_PortReusedWhileTheOldVmStillShutsDown_CreatesTheNewTap_AndKeepsTheOldOne()
    {
        // Port p1 moved from the deleted vm-old (tap Old, its qemu still exiting) to vm-new (tap B).
        var plan = TapPlanner.Plan([Want(B, "p1", "vm-new")], new HashSet<string> { Old }, [new ObservedTap(Old, true, 1500)], 1500);
        Assert.Equal([new TapAction.Create(B, 1500)], plan);
        // Once the old VM's record is gone, its tap goes.
        Assert.Equal([new TapAction.Remove(Old)], TapPlanner.Plan([Want(B, "p1", "vm-new")], None,
            [new ObservedTap(Old, true, 1500), new ObservedTap(B, true, 1500)], 1500));
    }

    [Fact]
    public void Plan_InterfacesNotOfOurShape_AreNeverTouched()
    {
        Assert.Empty(TapPlanner.Plan([], None, [new ObservedTap("tap0", true, 1500), new ObservedTap("vnet3", false, 1500)], 1500));
    }

    [Theory]
    [InlineData("tap0123456789ab", true)]
    [InlineData("tap0123456789AB", false)]
    [InlineData("tap0123456789a", false)]
    [InlineData("eth0", false)]
    public void IsOurs_OnlyTheControllersTapNames(string name, bool ours) => Assert.Equal(ours, TapPlanner.IsOurs(name));
}
