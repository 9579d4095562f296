using Infra.Flows.Flows;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Tables 3 and 6: send IP traffic through conntrack in the tenant's own zone, so that tenants
/// with overlapping addresses never share connection state, and continue in the policy table
/// (4 for egress, 7 for ingress) where ct_state is known.
/// </summary>
internal static class ConntrackStage
{
    public static void Emit(CompileContext c, List<Flow> flows)
    {
        foreach (var t in c.Tenants)
        {
            foreach (var (table, next) in new[] { (Tables.EgressConntrack, Tables.EgressPolicy), (Tables.IngressConntrack, Tables.IngressPolicy) })
            foreach (var proto in new[] { ProtoKind.Ip, ProtoKind.Ipv6 })
                flows.Add(new Flow(table, Priorities.Normal, Cookies.Tenant(t.TunnelKey),
                    [new RegMatch(Regs.Tenant, t.TunnelKey), new ProtoMatch(proto)],
                    [new ConntrackAction(t.CtZone, next, Commit: false)]));
        }
    }
}
