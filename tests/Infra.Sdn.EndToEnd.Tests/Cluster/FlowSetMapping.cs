using Infra.Agent.Network.Model;
using Infra.Flows.Flows;

namespace Infra.Sdn.EndToEnd.Tests.Cluster;

/// <summary>
/// Test glue: the compiler's <see cref="FlowSet"/> as the agent's <see cref="FlowSpec"/> list. The
/// cookie, table, priority and the exact match/action text pass through unchanged, so the agent's
/// per-cookie groups are exactly the compiler's owners. (Production does this in the controller's
/// southbound mapping.)
/// </summary>
public static class FlowSetMapping
{
    public static IReadOnlyList<FlowSpec> ToFlowSpecs(this FlowSet set) =>
        set.Flows.Select(f => new FlowSpec(f.Cookie, f.Table, f.Priority, f.MatchText,
            f.Actions.Count == 0 ? "drop" : string.Join(",", f.Actions.Select(a => a.ToString())))).ToList();
}
