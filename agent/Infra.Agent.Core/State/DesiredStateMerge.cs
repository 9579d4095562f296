using Infra.V1;

namespace Infra.Agent.Core.State;

/// <summary>What folding a DesiredState message into the held snapshot gave.</summary>
public abstract record MergeResult
{
    /// <summary>The new snapshot to persist and apply.</summary>
    public sealed record Accepted(DesiredSnapshot Snapshot) : MergeResult;
    /// <summary>A delta on a version the agent does not hold: it must ask for a full state.</summary>
    public sealed record BaseMismatch(ulong Held, ulong Base) : MergeResult;
    /// <summary>The message is malformed (objects without ids, removals in a full state): nack it.</summary>
    public sealed record Invalid(string Error, IReadOnlyList<ResourceError> Errors) : MergeResult;
}

/// <summary>
/// Pure: held snapshot + DesiredState message -> next snapshot. A full state replaces everything; a
/// delta applies only on the version it names (xDS-style), otherwise the agent cannot know what the
/// controller thinks it has and must resynchronise from a full state.
/// </summary>
public static class DesiredStateMerge
{
    /// <summary>Folds <paramref name="message"/> into <paramref name="held"/>.</summary>
    public static MergeResult Apply(DesiredSnapshot held, DesiredState message)
    {
        var errors = new List<ResourceError>();
        foreach (var r in message.Upserts)
        {
            var key = ResourceKey.Of(r);
            if (key.Kind == DesiredKind.Unspecified) errors.Add(new() { Ref = key.ToRef(), Error = "upsert carries no object" });
            else if (key.Id.Length == 0) errors.Add(new() { Ref = key.ToRef(), Error = $"{key.Kind} upsert has an empty id" });
        }
        if (message.Full && message.Removals.Count > 0)
            return new MergeResult.Invalid("a full desired state must not carry removals", errors);
        if (errors.Count > 0) return new MergeResult.Invalid($"{errors.Count} object(s) are malformed", errors);

        if (message.Full) return new MergeResult.Accepted(DesiredSnapshot.FromFull(message));
        if (message.BaseVersion != held.Version) return new MergeResult.BaseMismatch(held.Version, message.BaseVersion);

        var b = held.Resources.ToBuilder();
        foreach (var rm in message.Removals) b.Remove(ResourceKey.Of(rm));
        foreach (var r in message.Upserts) b[ResourceKey.Of(r)] = r;
        return new MergeResult.Accepted(new DesiredSnapshot(message.Version, b.ToImmutable()));
    }
}
