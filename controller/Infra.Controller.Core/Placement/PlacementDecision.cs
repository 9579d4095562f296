namespace Infra.Controller.Core.Placement;

/// <summary>Why a host could not take a request, in the order filters run (the first failing one counts).</summary>
public enum Rejection
{
    Down, Suspect, Maintenance, Cordoned, AntiAffinity, NotInAffinityGroup,
    TooFewCores, CoresTooSlow, Memory, CpuMhz, VcpuThreads, StoragePoolMissing, StorageSpace,
}

/// <summary>
/// The chosen host, or an explanation: per rejection reason, how many hosts and (for resources)
/// what the best host had, e.g. "12 hosts lack memory (need 8192 MiB, best has 4096 free); 3 hosts cordoned".
/// </summary>
public sealed record PlacementDecision(string? HostId, string? Error, IReadOnlyDictionary<Rejection, int> Rejections)
{
    public bool Placed => HostId is not null;
    public static PlacementDecision At(string host) => new(host, null, new Dictionary<Rejection, int>());
}
