using Infra.Agent.Compute.Cgroups;

namespace Infra.Agent.Compute.Tests.Cgroups;

public class CpuQuotaTests
{
    [Theory]
    // cpu_mhz, mhz_per_core, quota_us, weight, shares, per-second usec
    [InlineData(4000, 2000, 200_000, 200, 2048, 2_000_000UL)]
    [InlineData(2000, 2000, 100_000, 100, 1024, 1_000_000UL)]
    [InlineData(500, 2000, 25_000, 25, 256, 250_000UL)]
    [InlineData(1000, 3000, 33_333, 33, 337, 333_330UL)]
    [InlineData(1, 3000, 1_000, 1, 10, 10_000UL)] // clamped to the kernel's 1 ms minimum
    public void For_ComputesQuotaWeightAndShares(int mhz, int perCore, long quota, int weight, long shares, ulong perSec)
    {
        var q = CpuQuota.For(mhz, perCore);
        Assert.Equal(quota, q.QuotaUs);
        Assert.Equal(100_000, q.PeriodUs);
        Assert.Equal(weight, q.Weight);
        Assert.Equal(shares, q.Shares);
        Assert.Equal(perSec, q.QuotaPerSecUs);
        Assert.Equal($"{quota} 100000", q.CpuMax);
    }

    [Fact]
    public void For_HostWithoutMhzPerCore_SaysWhatToSet()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CpuQuota.For(1000, 0));
        Assert.Contains("MHz per core", e.Message);
    }

    [Fact]
    public void Resources_MemoryIncludesOverhead()
    {
        Assert.Equal((1024L + 256) * 1024 * 1024, VmResources.For(1000, 1024, 2000, 256).MemoryMaxBytes);
    }
}
