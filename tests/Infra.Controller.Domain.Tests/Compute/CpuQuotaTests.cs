using FsCheck;
using FsCheck.Fluent;
using Infra.Controller.Domain.Compute;

namespace Infra.Controller.Domain.Tests.Compute;

public class CpuQuotaTests
{
    [Theory]
    [InlineData(8, 4000, 2000, 200, 200000, false)] // the design's example: 8 threads, 2 cores' worth
    [InlineData(2, 4000, 2000, 200, 200000, false)] // exactly deliverable: 2 vCPUs on 2 full cores
    [InlineData(1, 1000, 2000, 50, 50000, false)]
    [InlineData(4, 100, 3000, 4, 4000, false)]     // 3.33 % rounds up to 4 %
    [InlineData(1, 2001, 2000, 100, 100000, true)] // one vCPU cannot exceed one core: capped
    [InlineData(2, 5000, 2000, 200, 200000, true)]
    [InlineData(16, 10000, 2500, 400, 400000, false)]
    public void Compute_GivesPercentOfOneCoreRoundedUp(int vcpus, int mhz, int perCore, int percent, long quotaUs, bool capped)
    {
        var q = CpuQuota.Compute(vcpus, mhz, perCore);
        Assert.Equal(percent, q.Percent);
        Assert.Equal(quotaUs, q.QuotaUs);
        Assert.Equal(capped, q.Capped);
        Assert.Equal($"{quotaUs} 100000", q.CpuMax);
        Assert.Equal(quotaUs, q.CfsQuotaUs);
        Assert.Equal($"{percent}%", q.SystemdCpuQuota);
    }

    [Fact]
    public void Compute_WhenCapped_KeepsTheRequestedPercentForReporting()
    {
        var q = CpuQuota.Compute(2, 5000, 2000);
        Assert.Equal(250, q.RequestedPercent);
    }

    [Fact]
    public void Compute_NeverGivesLessThanBoughtUnlessCapped()
    {
        var gen = from vcpus in Gen.Choose(1, 256)
                  from mhz in Gen.Choose(100, 2_560_000)
                  from perCore in Gen.Choose(500, 6000)
                  select (vcpus, mhz, perCore);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var q = CpuQuota.Compute(t.vcpus, t.mhz, t.perCore);
            var deliveredMhz = (long)q.Percent * t.perCore / 100.0;
            return q.Capped
                ? q.Percent == t.vcpus * 100 && !CpuQuota.Deliverable(t.vcpus, t.mhz, t.perCore)
                : deliveredMhz >= t.mhz && deliveredMhz - t.mhz < t.perCore / 100.0 && q.Percent <= t.vcpus * 100;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void CheckHost_RefusesSlowCoresAndSaysHowManyVcpusWouldDo()
    {
        Assert.Null(CpuQuota.CheckHost("hv-1", 2, 4000, 2000));
        var refusal = CpuQuota.CheckHost("hv-1", 1, 3000, 2000);
        Assert.NotNull(refusal);
        Assert.Equal(("CPU_TOO_SLOW", "hosts/hv-1"), (refusal.Type, refusal.Subject));
        Assert.Contains("at least 2", refusal.Description);
    }

    [Theory]
    [InlineData(0, 100, 2000)]
    [InlineData(1, 0, 2000)]
    [InlineData(1, 100, 0)]
    public void Compute_RejectsNonPositiveInputs(int vcpus, int mhz, int perCore) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuQuota.Compute(vcpus, mhz, perCore));
}
