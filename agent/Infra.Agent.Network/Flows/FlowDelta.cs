using Infra.Agent.Network.Model;

namespace Infra.Agent.Network.Flows;

/// <summary>
/// The difference between installed and desired flows, computed per cookie group and only for
/// groups whose content changed. Deletes come first in the bundle so that a rule moving between
/// groups (same table/priority/match, new cookie) is removed before it is re-added.
/// </summary>
public sealed record FlowDelta(IReadOnlyList<FlowSpec> Deletes, IReadOnlyList<FlowSpec> Adds, IReadOnlyList<ulong> ChangedCookies)
{
    public bool IsEmpty => Deletes.Count == 0 && Adds.Count == 0;

    /// <summary>Pure: (installed groups, desired groups) -> per-flow delete_strict and add lines.</summary>
    public static FlowDelta Compute(IReadOnlyDictionary<ulong, FlowGroup> installed, IReadOnlyDictionary<ulong, FlowGroup> desired)
    {
        var deletes = new List<FlowSpec>();
        var adds = new List<FlowSpec>();
        var changed = new List<ulong>();
        foreach (var cookie in installed.Keys.Union(desired.Keys).Order())
        {
            installed.TryGetValue(cookie, out var have);
            desired.TryGetValue(cookie, out var want);
            if (have is not null && want is not null && have.ContentEquals(want)) continue;
            changed.Add(cookie);
            var haveByKey = have?.ByKey ?? FlowGroup.EmptyIndex;
            var wantByKey = want?.ByKey ?? FlowGroup.EmptyIndex;
            foreach (var (key, flow) in haveByKey)
                if (!wantByKey.ContainsKey(key)) deletes.Add(flow);
            foreach (var (key, flow) in wantByKey)
                if (!haveByKey.TryGetValue(key, out var old) || old.Actions != flow.Actions) adds.Add(flow);
        }
        return new(deletes, adds, changed);
    }

    /// <summary>The ovs-ofctl flow-file lines, to be sent as one bundle.</summary>
    public IEnumerable<string> ToLines() => Deletes.Select(f => f.ToDeleteStrictLine()).Concat(Adds.Select(f => f.ToAddLine()));
}
