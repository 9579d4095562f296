using Infra.Agent.Core.State;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// One subsystem's share of applying a desired snapshot (compute, network, storage). Every call
/// gets the whole snapshot and converges on it (full recompute; the reconcilers below are
/// idempotent), so re-applying the same snapshot is the periodic local enforcement.
/// </summary>
public interface IResourceApplier
{
    /// <summary>For logs.</summary>
    string Name { get; }
    /// <summary>Converges on <paramref name="snapshot"/>; returns the objects that failed (the rest were applied).</summary>
    Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct);
}
