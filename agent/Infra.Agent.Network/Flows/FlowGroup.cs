using Infra.Agent.Network.Model;

namespace Infra.Agent.Network.Flows;

/// <summary>All flows sharing one cookie, indexed by (table, priority, match).</summary>
public sealed class FlowGroup
{
    internal static readonly IReadOnlyDictionary<FlowKey, FlowSpec> EmptyIndex = new Dictionary<FlowKey, FlowSpec>();

    public ulong Cookie { get; }
    public IReadOnlyDictionary<FlowKey, FlowSpec> ByKey { get; }

    public FlowGroup(ulong cookie, IEnumerable<FlowSpec> flows)
    {
        Cookie = cookie;
        var d = new Dictionary<FlowKey, FlowSpec>();
        foreach (var f in flows) d[f.Key] = f; // last wins; Validate reports duplicates
        ByKey = d;
    }

    public bool ContentEquals(FlowGroup other) =>
        ByKey.Count == other.ByKey.Count && ByKey.All(kv => other.ByKey.TryGetValue(kv.Key, out var o) && o.Actions == kv.Value.Actions);

    public static Dictionary<ulong, FlowGroup> GroupAll(IEnumerable<FlowSpec> flows) =>
        flows.GroupBy(f => f.Cookie).ToDictionary(g => g.Key, g => new FlowGroup(g.Key, g));
}
