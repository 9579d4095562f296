using Infra.Agent.Core.Inventory;

namespace Infra.Agent.Tests.Inventory;

public class CpuInfoParserTests
{
    private const string IntelTwo = """
        processor	: 0
        vendor_id	: GenuineIntel
        model name	: Intel(R) Xeon(R) CPU @ 2.20GHz
        cpu MHz		: 2199.998
        bogomips	: 4399.99

        processor	: 1
        vendor_id	: GenuineIntel
        cpu MHz		: 2200.004
        bogomips	: 4399.99

        """;

    private const string ArmNoMhz = """
        processor	: 0
        BogoMIPS	: 50.00
        Features	: fp asimd

        processor	: 1
        BogoMIPS	: 50.00

        processor	: 2
        BogoMIPS	: 50.00

        """;

    [Fact]
    public void Parse_CountsProcessors_AndTakesTheHighestMhz() =>
        Assert.Equal(new CpuInfo(2, 2200), CpuInfoParser.Parse(IntelTwo));

    [Fact]
    public void Parse_PrefersSysfsMaxFrequency_OverTheScalingClock() =>
        Assert.Equal(new CpuInfo(2, 3500), CpuInfoParser.Parse(IntelTwo, "3500000\n"));

    [Fact]
    public void Parse_WithoutMhz_ReportsZero_NotBogoMips() =>
        Assert.Equal(new CpuInfo(3, 0), CpuInfoParser.Parse(ArmNoMhz));

    [Theory]
    [InlineData("MemTotal:       16318412 kB\nMemFree: 1 kB\n", 15935UL)]
    [InlineData("MemFree: 1 kB\nMemTotal: 1048576 kB\n", 1024UL)]
    [InlineData("nothing here\n", 0UL)]
    public void ParseMemTotal_InMib(string text, ulong mib) => Assert.Equal(mib, CpuInfoParser.ParseMemTotalMib(text));

    [Fact]
    public void StatVfs_ReportsCapacityAtLeastFree()
    {
        var (total, free) = InventoryProbe.StatVfs(Path.GetTempPath());
        Assert.True(total > 0 && free <= total);
    }
}

public class StatVfsTests
{
    [Fact]
    public void MissingPool_ReportsZero_InsteadOfFailingHello() =>
        Assert.Equal((0UL, 0UL), InventoryProbe.StatVfs("/nonexistent/infra-pool-" + Guid.NewGuid().ToString("N")));
}
