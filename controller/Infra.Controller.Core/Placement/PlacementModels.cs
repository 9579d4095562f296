using HostState = Infra.Controller.Domain.Model.HostState;

namespace Infra.Controller.Core.Placement;

// Placement's own inputs, independent of the gRPC contract: Infra.Controller.Model's HostCapacityMapping
// maps stored hosts and instances to these. A host's state is the domain's one HostState.

/// <summary>A storage pool on a host and the bytes it can give to volumes.</summary>
public sealed record StoragePool(string Name, long CapacityBytes);

/// <summary>
/// A host's inventory. Cordoned hosts keep their VMs but take no new ones; only Up hosts take new VMs
/// (Suspect is excluded too: placing onto a host that may be failing would just fail later).
/// MemoryReserveMiB overrides the policy's per-host reserve (for the hypervisor itself).
/// MhzPerCore may be scaled by the host's own overcommit ratio (it sizes the MHz capacity);
/// CoreMhz is the cores' real speed, which decides whether vcpus threads can deliver cpu_mhz at all
/// (null: MhzPerCore is the real speed).
/// </summary>
public sealed record HostCapacity(
    string HostId,
    int Cores,
    int MhzPerCore,
    long MemoryMiB,
    HostState State = HostState.Up,
    bool Cordoned = false,
    IReadOnlyList<StoragePool>? Pools = null,
    long? MemoryReserveMiB = null,
    int? CoreMhz = null)
{
    /// <summary>What one vCPU thread can run at most: a core's real speed.</summary>
    public int RealCoreMhz => CoreMhz ?? MhzPerCore;
}

/// <summary>Bytes wanted from a named pool on the chosen host.</summary>
public sealed record StorageNeed(string Pool, long Bytes);

/// <summary>
/// What one VM needs. Vcpus is the thread count (must not exceed the host's cores); CpuMhz the total
/// CPU allocation. AffinityGroup: place with the group's existing members (any host if none yet).
/// AntiAffinityGroup: never on a host that already runs a member.
/// </summary>
public sealed record PlacementRequest(
    string InstanceId,
    int Vcpus,
    long CpuMhz,
    long MemoryMiB,
    IReadOnlyList<StorageNeed>? Storage = null,
    string? AffinityGroup = null,
    string? AntiAffinityGroup = null)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(InstanceId)) errors.Add("instance id is empty");
        if (Vcpus <= 0) errors.Add($"vcpus must be at least 1, got {Vcpus}");
        if (CpuMhz <= 0) errors.Add($"cpu_mhz must be positive, got {CpuMhz}");
        if (MemoryMiB <= 0) errors.Add($"memory must be positive, got {MemoryMiB} MiB");
        foreach (var s in Storage ?? []) if (s.Bytes < 0) errors.Add($"storage in pool {s.Pool} is negative");
        return errors;
    }
}

/// <summary>Resources held on a host for one instance: what placement counts as used.</summary>
public sealed record Claim(
    string InstanceId,
    string HostId,
    int Vcpus,
    long CpuMhz,
    long MemoryMiB,
    IReadOnlyList<StorageNeed>? Storage = null,
    string? AffinityGroup = null,
    string? AntiAffinityGroup = null)
{
    public static Claim For(PlacementRequest r, string hostId) =>
        new(r.InstanceId, hostId, r.Vcpus, r.CpuMhz, r.MemoryMiB, r.Storage, r.AffinityGroup, r.AntiAffinityGroup);
}
