using Infra.Flows.Flows;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Tables 4 (egress) and 7 (ingress): stateful allow rules. Invalid packets drop; packets of
/// established or related connections pass; a new connection passes only through a completed
/// conjunction (see <see cref="ConjunctionPlanner"/>), which commits it to conntrack. The
/// table-miss drops the rest. Passing means table 5 for egress and output to reg2 for ingress.
/// </summary>
internal static class PolicyStage
{
    public static readonly CtStateMatch NewOnly = new(CtFlags.Trk | CtFlags.New, CtFlags.Est | CtFlags.Rel | CtFlags.Inv);

    public static void Emit(CompileContext c, List<Flow> flows)
    {
        foreach (var dir in new[] { Direction.Egress, Direction.Ingress })
        {
            var table = TableOf(dir);
            var pass = Pass(dir);
            flows.Add(new Flow(table, Priorities.Override, Cookies.Base,
                [new CtStateMatch(CtFlags.Trk | CtFlags.Inv, CtFlags.None)], [DropAction.Instance]));
            flows.Add(new Flow(table, Priorities.Guard, Cookies.Base,
                [new CtStateMatch(CtFlags.Trk | CtFlags.Est, CtFlags.Rel | CtFlags.Inv)], [pass]));
            flows.Add(new Flow(table, Priorities.Guard, Cookies.Base,
                [new CtStateMatch(CtFlags.Trk | CtFlags.Rel, CtFlags.Inv)], [pass]));
        }
        foreach (var t in c.Tenants)
            ConjunctionPlanner.Emit(c, t, flows);
    }

    public static byte TableOf(Direction d) => d == Direction.Egress ? Tables.EgressPolicy : Tables.IngressPolicy;

    public static FlowAction Pass(Direction d) =>
        d == Direction.Egress ? new GotoTable(Tables.Forwarding) : new OutputReg(Regs.DestPort);
}
