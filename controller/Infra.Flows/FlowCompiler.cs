using Infra.Flows.Flows;
using Infra.Flows.Model;
using Infra.Flows.Pipeline;

namespace Infra.Flows;

/// <summary>
/// The controller's flow compiler: a pure function from one host's view of the cluster to the
/// complete OpenFlow flow set for that host's br-int. It never does I/O and never looks at what is
/// installed; the agent diffs the result against the switch by cookie (see <see cref="Cookies"/>).
/// The pipeline is deny by default: every table ends in a drop, and nothing ever goes to the
/// controller. README.md beside this file describes the tables.
/// </summary>
public static class FlowCompiler
{
    /// <summary>Compiles the host's flows; throws <see cref="FlowCompilationException"/> listing every input problem.</summary>
    public static FlowSet Compile(HostState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var errors = new List<string>();
        var c = CompileContext.Build(state, errors);
        if (errors.Count > 0) throw new FlowCompilationException(errors);

        var flows = new List<Flow>(256);
        foreach (var table in Tables.All)
            flows.Add(new Flow(table, Priorities.Miss, Cookies.Base, [], [DropAction.Instance]));
        ClassifyStage.Emit(c, flows);
        PortSecurityStage.Emit(c, flows);
        ResponderStage.Emit(c, flows);
        ResponderStage.EmitNdReply(flows);
        ConntrackStage.Emit(c, flows);
        PolicyStage.Emit(c, flows);
        ForwardingStage.Emit(c, flows);
        GuestServicesStage.Emit(c, state.GuestServices, flows);
        return new FlowSet(MergeAndSort(flows));
    }

    /// <summary>
    /// OpenFlow keeps one flow per (table, priority, match). Conjunction clauses that coincide are
    /// merged into one flow with the union of their conjunction actions; any other coincidence is
    /// a compiler bug and throws rather than letting the switch silently keep one of them.
    /// </summary>
    internal static List<Flow> MergeAndSort(List<Flow> flows)
    {
        var byKey = new Dictionary<(byte, ushort, string), Flow>(flows.Count);
        foreach (var f in flows)
        {
            var key = f.Key;
            if (!byKey.TryGetValue(key, out var prev)) { byKey[key] = f; continue; }
            var conj = prev.Actions.All(a => a is ConjunctionAction) && f.Actions.All(a => a is ConjunctionAction);
            if (!conj || prev.Cookie != f.Cookie)
                throw new InvalidOperationException($"two flows share table, priority and match:\n  {prev.Render()}\n  {f.Render()}");
            byKey[key] = prev with
            {
                Actions = prev.Actions.Concat(f.Actions).Cast<ConjunctionAction>().Distinct()
                    .OrderBy(a => a.Id).ThenBy(a => a.Clause).Cast<FlowAction>().ToList(),
            };
        }
        var sorted = byKey.Select(kv => (kv.Key, Flow: kv.Value)).ToList();
        sorted.Sort((a, b) =>
        {
            var c = a.Key.Item1.CompareTo(b.Key.Item1);
            if (c != 0) return c;
            c = b.Key.Item2.CompareTo(a.Key.Item2);
            return c != 0 ? c : string.CompareOrdinal(a.Key.Item3, b.Key.Item3);
        });
        return sorted.Select(x => x.Flow).ToList();
    }
}
