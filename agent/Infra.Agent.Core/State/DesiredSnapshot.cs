using System.Collections.Immutable;
using Infra.V1;

namespace Infra.Agent.Core.State;

/// <summary>
/// The host's complete desired state at one version: every desired object by key. Deltas from the
/// controller are folded into a snapshot (<see cref="DesiredStateMerge"/>), so everything downstream
/// (persistence, apply, the periodic local reconcile) only ever sees whole states.
/// </summary>
public sealed record DesiredSnapshot(ulong Version, ImmutableSortedDictionary<ResourceKey, Resource> Resources)
{
    /// <summary>Nothing desired, version 0 (a fresh host).</summary>
    public static DesiredSnapshot Empty { get; } = new(0, ImmutableSortedDictionary<ResourceKey, Resource>.Empty);

    /// <summary>The objects of one kind.</summary>
    public IEnumerable<Resource> OfKind(DesiredKind kind) =>
        Resources.Where(kv => kv.Key.Kind == kind).Select(kv => kv.Value);

    /// <summary>The snapshot as a full DesiredState message (what is persisted).</summary>
    public DesiredState ToMessage()
    {
        var m = new DesiredState { Version = Version, Full = true };
        m.Upserts.AddRange(Resources.Values);
        return m;
    }

    /// <summary>A snapshot from a full message; later duplicates of a key win.</summary>
    public static DesiredSnapshot FromFull(DesiredState full)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<ResourceKey, Resource>();
        foreach (var r in full.Upserts) b[ResourceKey.Of(r)] = r;
        return new(full.Version, b.ToImmutable());
    }
}
