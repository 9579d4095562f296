namespace Infra.Controller.Core.Placement;

/// <summary>The pure entry point: hosts + current claims + request + policy -> decision.</summary>
public static class Placer
{
    public static PlacementDecision Decide(IReadOnlyList<HostCapacity> hosts, IEnumerable<Claim> claims, PlacementRequest request, PlacementPolicy policy) =>
        new PlacementIndex(hosts, claims, policy).Decide(request);
}
