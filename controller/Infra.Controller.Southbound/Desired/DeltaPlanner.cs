using Infra.V1;

namespace Infra.Controller.Southbound.Desired;

/// <summary>What the controller last sent a host: the version and the complete resources at it.</summary>
public sealed record LastSent(ulong Version, HostResources Resources)
{
    /// <summary>The ledger form: a full DesiredState holding every resource.</summary>
    public DesiredState ToMessage()
    {
        var m = new DesiredState { Version = Version, Full = true };
        m.Upserts.AddRange(Resources.Items.Values);
        return m;
    }

    public static LastSent FromMessage(DesiredState m) => new(m.Version, new HostResources(m.Upserts));
}

/// <summary>
/// Pure versioning: (what was last sent, what the agent holds, the new resources) -> the message to
/// send, or null when the agent already has it. Versions only grow per host. A delta is only sent
/// on top of the exact version the agent holds; any doubt (first contact, the agent holds another
/// version, a nack left it partial) gets a full state, which the agent applies by removing
/// everything not listed.
/// </summary>
public static class DeltaPlanner
{
    /// <param name="last">The last version sent to the host, or null if none ever was.</param>
    /// <param name="agentVersion">The version the agent holds (Hello.applied_version, or <c>last.Version</c> while streaming).</param>
    /// <param name="forceFull">Send a full state even if a delta would do (after a nack).</param>
    public static DesiredState? Plan(LastSent? last, HostResources next, ulong agentVersion, bool forceFull = false)
    {
        if (last is null || forceFull || agentVersion != last.Version)
        {
            var full = new DesiredState { Version = Math.Max(last?.Version ?? 0, agentVersion) + 1, Full = true };
            full.Upserts.AddRange(next.Items.Values);
            return full;
        }
        var delta = new DesiredState { Version = last.Version + 1, Full = false, BaseVersion = last.Version };
        foreach (var (key, r) in next.Items)
            if (!last.Resources.Items.TryGetValue(key, out var old) || !old.Equals(r)) delta.Upserts.Add(r);
        foreach (var key in last.Resources.Items.Keys)
            if (!next.Items.ContainsKey(key)) delta.Removals.Add(key.ToRef());
        return delta.Upserts.Count == 0 && delta.Removals.Count == 0 ? null : delta;
    }

    /// <summary>What an agent holds after applying <paramref name="message"/> on <paramref name="held"/> (the agent's side of the contract).</summary>
    public static HostResources Apply(HostResources? held, DesiredState message)
    {
        if (message.Full) return new HostResources(message.Upserts);
        var items = new Dictionary<ResourceKey, Resource>(held?.Items ?? new Dictionary<ResourceKey, Resource>());
        foreach (var r in message.Removals) items.Remove(ResourceKey.From(r));
        foreach (var r in message.Upserts) items[ResourceKey.Of(r)] = r;
        return new HostResources(items.Values);
    }
}
