using Infra.Controller.Southbound.Desired;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Desired;

/// <summary>The controller computes the CPU quota once and sends it; the agent only enforces VmSpec.cpu_quota_percent.</summary>
public class CpuQuotaSpecTests
{
    [Theory]
    // vcpus, cpu_mhz, host mhz_per_core, percent
    [InlineData(8u, 4000u, 2000u, 200u)] // DESIGN.md's example: 8 threads, 2 cores' worth
    [InlineData(1u, 500u, 2000u, 25u)]
    [InlineData(1u, 1000u, 3000u, 34u)]  // rounded up: a customer never gets less than bought
    [InlineData(1u, 2500u, 1000u, 100u)] // more than one thread can run: capped at vcpus x 100
    public void Build_VmSpecCarriesTheQuotaForItsHostsCores(uint vcpus, uint mhz, uint mhzPerCore, uint percent)
    {
        var host = Host("h1", "192.0.2.1");
        host.Inventory.MhzPerCore = mhzPerCore;
        var i = Instance("i1", "t1", "h1");
        (i.Vcpus, i.CpuMhz) = (vcpus, mhz);

        var vm = Assert.Single(DesiredStateBuilder.Build(Snapshot(Tenant("t1", 7), host, i), "h1").Resources.OfKind(DesiredKind.Vm)).Vm;

        Assert.Equal(percent, vm.CpuQuotaPercent);
    }
}
