using Infra.Flows.Flows;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Table 5: unicast L2 forwarding within the tenant. A local destination is recorded in reg2 and
/// handed to ingress conntrack; a remote one gets the tenant's key and leaves by the GRE port of
/// the destination's host (only packets from VMs: what came from a tunnel never goes back into
/// one). Broadcast and multicast are dropped explicitly; ARP and ND were answered in table 2.
/// </summary>
internal static class ForwardingStage
{
    public static void Emit(CompileContext c, List<Flow> flows)
    {
        flows.Add(new Flow(Tables.Forwarding, Priorities.Guard, Cookies.Base,
            [new EthDstMatch(Mac.Multicast, Mac.Multicast)], [DropAction.Instance]));
        foreach (var p in c.LocalPorts)
            flows.Add(new Flow(Tables.Forwarding, Priorities.Normal, p.Cookie,
                [new RegMatch(Regs.Tenant, p.Tenant.TunnelKey), new EthDstMatch(p.Mac)],
                [SetField.Reg(Regs.DestPort, (uint)p.OfPort!.Value), new GotoTable(Tables.IngressConntrack)]));
        foreach (var p in c.RemotePorts)
            flows.Add(new Flow(Tables.Forwarding, Priorities.Normal, p.Cookie,
                [new RegMatch(Regs.Tenant, p.Tenant.TunnelKey), new RegMatch(Regs.Origin, Regs.FromVm), new EthDstMatch(p.Mac)],
                [new SetField(SetFieldKind.TunId, p.Tenant.TunnelKey), new OutputPort(p.Peer!.TunnelOfPort)]));
    }
}
