using Infra.Flows.Flows;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Table 0: tag each packet with its tenant and origin. A VM port's packets go to port security.
/// A tunnel's packets are accepted only for a tunnel key that the sending peer actually hosts a
/// port of (and so only for tenants present here); they skip straight to forwarding, because the
/// sending host already ran port security and egress policy.
/// </summary>
internal static class ClassifyStage
{
    public static void Emit(CompileContext c, List<Flow> flows)
    {
        // OpenFlow matches a tagged frame's inner ethertype, so without this a VM could smuggle
        // VLAN-tagged frames past port security. Tenants get no VLANs.
        flows.Add(new Flow(Tables.Classify, Priorities.Guard, Cookies.Base,
            [new VlanPresentMatch()], [DropAction.Instance]));
        foreach (var p in c.LocalPorts)
        {
            flows.Add(new Flow(Tables.Classify, Priorities.Normal, p.Cookie,
                [new InPortMatch(p.OfPort!.Value)],
                [SetField.Reg(Regs.Tenant, p.Tenant.TunnelKey), SetField.Reg(Regs.SourcePort, (uint)p.OfPort.Value),
                 SetField.Reg(Regs.Origin, Regs.FromVm), new GotoTable(Tables.PortSecurity)]));
        }
        var pairs = c.RemotePorts.Select(p => (p.Peer!, p.Tenant)).Distinct()
            .OrderBy(x => x.Item1.TunnelOfPort).ThenBy(x => x.Tenant.TunnelKey);
        foreach (var (peer, tenant) in pairs)
        {
            flows.Add(new Flow(Tables.Classify, Priorities.Normal, Cookies.Tunnel(peer.HostId),
                [new InPortMatch(peer.TunnelOfPort), new TunIdMatch(tenant.TunnelKey)],
                [SetField.Reg(Regs.Tenant, tenant.TunnelKey), SetField.Reg(Regs.Origin, Regs.FromTunnel),
                 new GotoTable(Tables.Forwarding)]));
        }
    }
}
