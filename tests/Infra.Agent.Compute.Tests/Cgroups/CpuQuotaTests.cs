using Infra.Agent.Compute.Cgroups;

namespace Infra.Agent.Compute.Tests.Cgroups;

/// <summary>The agent enforces the controller's percent (VmSpec.cpu_quota_percent); it computes no quota of its own.</summary>
public class CpuQuotaTests
{
    [Theory]
    // percent, quota_us, weight, shares, per-second usec
    [InlineData(200, 200_000, 200, 2048, 2_000_000UL)]
    [InlineData(100, 100_000, 100, 1024, 1_000_000UL)]
    [InlineData(25, 25_000, 25, 256, 250_000UL)]
    [InlineData(34, 34_000, 34, 348, 340_000UL)]
    public void For_ComputesQuotaWeightAndShares(int percent, long quota, int weight, long shares, ulong perSec)
    {
        var q = CpuQuota.For(percent);
        Assert.Equal(quota, q.QuotaUs);
        Assert.Equal(100_000, q.PeriodUs);
        Assert.Equal(weight, q.Weight);
        Assert.Equal(shares, q.Shares);
        Assert.Equal(perSec, q.QuotaPerSecUs);
        Assert.Equal($"{quota} 100000", q.CpuMax);
    }

    [Fact]
    public void For_TinyPeriod_ClampsToTheKernelsMinimum()
    {
        Assert.Equal(CpuQuota.MinQuotaUs, CpuQuota.For(1, periodUs: 10_000).QuotaUs);
    }

    [Fact]
    public void For_NoPercent_SaysWhereItComesFrom()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CpuQuota.For(0));
        Assert.Contains("cpu_quota_percent", e.Message);
    }

    [Fact]
    public void Resources_WithoutAControllerQuota_LimitToTheVcpuThreads()
    {
        Assert.Equal(300_000, VmResources.For(0, 3, 1024, 256).Cpu.QuotaUs);
        Assert.Equal(150_000, VmResources.For(150, 3, 1024, 256).Cpu.QuotaUs);
    }

    [Fact]
    public void Resources_MemoryIncludesOverhead()
    {
        Assert.Equal((1024L + 256) * 1024 * 1024, VmResources.For(50, 1, 1024, 256).MemoryMaxBytes);
    }
}
