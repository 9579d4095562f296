using Infra.Controller.Core.Placement;
using Infra.V1;
using WireMapping = Infra.Controller.Domain.Model.WireMapping;
using HostState = Infra.Controller.Domain.Model.HostState;

namespace Infra.Controller.Model.Placement;

/// <summary>
/// Hosts as placement sees them. Placement applies one cluster-wide overcommit policy; a host's own
/// ratios are folded into its capacity (MHz per core and memory scaled by host ratio / policy ratio)
/// so a host set to 2.0 while the policy says 4.0 offers half the MHz the policy would sell.
/// The one mapping from stored hosts and instances to placement input: CreateInstance, drain, resize
/// and the evacuator all go through it, so a host's ratios, reserve and core speed count the same everywhere.
/// </summary>
public static class HostCapacityMapping
{
    public static HostCapacity ToCapacity(Host h, PlacementPolicy policy)
    {
        var inv = h.Inventory ?? new HostInventory();
        var o = h.Overcommit;
        var cpuScale = o is { CpuRatio: > 0 } ? o.CpuRatio / policy.CpuOvercommit : 1.0;
        var memScale = o is { MemoryRatio: > 0 } ? o.MemoryRatio / policy.MemoryOvercommit : 1.0;
        long? reserve = o is { MemoryReserveMib: > 0 } ? (long)o.MemoryReserveMib : null;
        var effectiveReserve = reserve ?? policy.MemoryReserveMiB;
        var memory = effectiveReserve + (long)(Math.Max(0, (long)inv.MemoryMib - effectiveReserve) * memScale);
        return new HostCapacity(h.Meta.Id, (int)inv.Cores, (int)(inv.MhzPerCore * cpuScale), memory, State(h.State), h.Cordoned,
            [.. inv.StoragePools.Select(p => new Core.Placement.StoragePool(p.Name, (long)p.CapacityBytes))], reserve,
            CoreMhz: (int)inv.MhzPerCore);
    }

    // Unspecified: a host record nobody has heard from yet is not a place to start instances.
    static HostState State(Infra.V1.HostState s) => WireMapping.FromWire(s) ?? HostState.Suspect;

    public static PlacementRequest Request(Instance i) =>
        new(i.Meta.Id, (int)i.Vcpus, i.CpuMhz, (long)i.MemoryMib, null,
            i.AffinityGroup.Length == 0 ? null : i.AffinityGroup, i.AntiAffinityGroup.Length == 0 ? null : i.AntiAffinityGroup);

    /// <summary>Fills a host's allocation from the claims placed on it.</summary>
    public static void FillAllocation(Host h, IEnumerable<Claim> claims)
    {
        var mine = claims.Where(c => c.HostId == h.Meta.Id).ToList();
        h.Allocated = new HostAllocation
        {
            CpuMhz = (ulong)mine.Sum(c => c.CpuMhz),
            MemoryMib = (ulong)mine.Sum(c => c.MemoryMiB),
            Vcpus = (uint)mine.Sum(c => c.Vcpus),
            Instances = (uint)mine.Count,
        };
    }
}
