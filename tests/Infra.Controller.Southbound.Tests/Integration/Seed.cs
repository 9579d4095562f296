using Infra.Controller.Core.Placement;
using Infra.Store;
using Infra.V1;
using static Infra.Controller.Southbound.Tests.Support.Objects;

namespace Infra.Controller.Southbound.Tests.Integration;

/// <summary>Objects the northbound API would have written: a tenant, its web policy and VMs with one NIC each.</summary>
static class Seed
{
    public static async Task TenantAsync(IKeyValueStore store)
    {
        await store.PutAsync(Tenant("t1", 7));
        await store.PutAsync(Policy("pol-web", "t1", AllowTcp("r80", 80)));
    }

    public static async Task VmAsync(IKeyValueStore store, string instance, string port, string host, int n, ClaimStore? claims = null)
    {
        var i = Instance(instance, "t1", host, port);
        i.State = InstanceState.Scheduled;
        await store.PutAsync(i);
        await store.PutAsync(Port(port, "t1", instance, host, $"02:00:00:00:00:{n:x2}", $"10.0.0.{n}", "pol-web"));
        if (claims is not null)
        {
            var placed = await claims.PlaceAsync([new HostCapacity(host, 16, 2000, 65536)],
                new PlacementRequest(instance, (int)i.Vcpus, i.CpuMhz, (long)i.MemoryMib));
            Assert.Equal(host, placed.HostId);
        }
    }
}
