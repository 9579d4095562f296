namespace Infra.Controller.Core.Placement;

/// <summary>
/// Pack fills the fullest host that still fits (fewer hosts powered, big holes kept free for big VMs);
/// Spread picks the emptiest host (less noisy-neighbour contention, smaller blast radius).
/// </summary>
public enum PlacementStrategy { Pack, Spread }

/// <summary>
/// Capacity rules. MHz capacity = cores x MHz per core x CpuOvercommit; vCPU threads are capped at
/// cores x CpuOvercommit as well; memory capacity = (memory - reserve) x MemoryOvercommit.
/// </summary>
public sealed record PlacementPolicy(
    double CpuOvercommit = 4.0,
    double MemoryOvercommit = 1.0,
    long MemoryReserveMiB = 2048,
    PlacementStrategy Strategy = PlacementStrategy.Pack)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(CpuOvercommit >= 1.0)) errors.Add($"cpu overcommit ratio must be >= 1.0, got {CpuOvercommit}");
        if (!(MemoryOvercommit >= 1.0)) errors.Add($"memory overcommit ratio must be >= 1.0, got {MemoryOvercommit}");
        if (MemoryReserveMiB < 0) errors.Add($"memory reserve must be >= 0 MiB, got {MemoryReserveMiB}");
        return errors;
    }
}
