using Infra.Controller.Southbound.Desired;

namespace Infra.Controller.Southbound.Tests.Desired;

public sealed class LocalNumberingTests
{
    [Fact]
    public void Assign_KeepsPreviousNumbers_AndFillsLowestFreeInIdOrder()
    {
        var prev = new Dictionary<string, int> { ["b"] = 1000, ["gone"] = 1001, ["bad"] = 5 };

        var got = LocalNumbering.Assign(["d", "b", "a", "bad"], prev, 1000, 1010);

        Assert.Equal(new Dictionary<string, int> { ["b"] = 1000, ["a"] = 1001, ["bad"] = 1002, ["d"] = 1003 }, got);
    }

    [Fact]
    public void Assign_RangeExhausted_SaysWhat()
    {
        var e = Assert.Throws<InvalidOperationException>(() => LocalNumbering.Assign(["a", "b", "c"], new Dictionary<string, int>(), 100, 101));
        Assert.Contains("no free ofport", e.Message);
    }

    [Theory]
    [InlineData("p1")]
    [InlineData("port-with-a-very-long-identifier-0123456789abcdef")]
    public void InterfaceName_IsTapPlus12HexAndStable(string id)
    {
        var n = LocalNumbering.InterfaceName(id, "vm-1");
        Assert.Matches("^tap[0-9a-f]{12}$", n);
        Assert.Equal(n, LocalNumbering.InterfaceName(id, "vm-1"));
    }

    [Fact]
    public void InterfaceName_PortReusedByAnotherInstance_GetsAFreshTap()
    {
        // The old instance's qemu may still hold its tap while it shuts down; the new one must not collide with it.
        Assert.NotEqual(LocalNumbering.InterfaceName("p1", "vm-old"), LocalNumbering.InterfaceName("p1", "vm-new"));
        // The separator keeps ("p1x", "y") and ("p1", "xy") apart.
        Assert.NotEqual(LocalNumbering.InterfaceName("p1x", "y"), LocalNumbering.InterfaceName("p1", "xy"));
    }

    [Fact]
    public void CtZones_SmallKeysAreThemselves_LargeKeysProbeToFreeZones()
    {
        var z = LocalNumbering.CtZones([7, 65536 + 6, 65535 * 2 + 7]);

        Assert.Equal(7, z[7]);
        Assert.Equal(8, z[65536 + 6]);          // 65542 % 65535 + 1 = 8
        Assert.Equal(9, z[65535 * 2 + 7]);      // wants 8, taken: next free
        Assert.Equal(3, z.Values.Distinct().Count());
    }
}
