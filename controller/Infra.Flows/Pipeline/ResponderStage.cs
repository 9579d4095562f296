using Infra.Flows.Flows;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Table 2: the controller knows every binding in the tenant, so ARP requests and neighbor
/// solicitations for any of them are answered here and sent back out of the asking port. Nothing
/// else reaches this table's hits; everything unanswered (ARP replies, NAs, unknown targets) falls
/// to the table-miss drop, so no broadcast ever leaves the host.
/// </summary>
internal static class ResponderStage
{
    public static void Emit(CompileContext c, List<Flow> flows)
    {
        foreach (var p in c.LocalPorts.Concat(c.RemotePorts))
        {
            var tenant = new RegMatch(Regs.Tenant, p.Tenant.TunnelKey);
            foreach (var ip in p.V4)
                flows.Add(new Flow(Tables.Responder, Priorities.Normal, p.Cookie,
                    [tenant, new ProtoMatch(ProtoKind.Arp), new ArpOpMatch(1), new ArpTpaMatch(ip)],
                    [
                        new MoveAction(MoveAction.EthSrc, MoveAction.EthDst),
                        new SetField(SetFieldKind.EthSrc, p.Mac),
                        new SetField(SetFieldKind.ArpOp, 2u),
                        new MoveAction(MoveAction.ArpSha, MoveAction.ArpTha),
                        new MoveAction(MoveAction.ArpSpa, MoveAction.ArpTpa),
                        new SetField(SetFieldKind.ArpSha, p.Mac),
                        new SetField(SetFieldKind.ArpSpa, ip),
                        OutputInPort.Instance,
                    ]));
            foreach (var ip in p.V6)
                flows.Add(new Flow(Tables.Responder, Priorities.Normal, p.Cookie,
                    [tenant, new ProtoMatch(ProtoKind.Icmp6), new Icmpv6TypeMatch(135), new NdTargetMatch(ip)],
                    [
                        new MoveAction(MoveAction.EthSrc, MoveAction.EthDst),
                        new SetField(SetFieldKind.EthSrc, p.Mac),
                        new MoveAction(MoveAction.Ipv6Src, MoveAction.Ipv6Dst),
                        new SetField(SetFieldKind.Ipv6Src, ip),
                        // Both link-layer fields get our MAC: set_field nd_tll is refused on an NS
                        // match, and which of sll/tll the datapath writes depends on the option
                        // type at the moment it applies them, so we write sll here and tll in
                        // table 8, after the type has become NA.
                        new SetField(SetFieldKind.NdSll, p.Mac),
                        new SetField(SetFieldKind.Icmpv6Type, 136u),
                        // Solicited + Override; the answer comes from a host, not a router.
                        new SetField(SetFieldKind.NdReserved, 0x60000000u),
                        // The NS's source link-layer option (type 1) becomes the NA's target one (type 2).
                        new SetField(SetFieldKind.NdOptionsType, 2u),
                        new ResubmitAction(Tables.NdReply),
                    ]));
        }
    }

    /// <summary>Table 8, reached only by resubmit from table 2: finish an NA built from an NS.</summary>
    public static void EmitNdReply(List<Flow> flows) =>
        flows.Add(new Flow(Tables.NdReply, Priorities.Normal, Cookies.Base,
            [new ProtoMatch(ProtoKind.Icmp6), new Icmpv6TypeMatch(136)],
            [new MoveAction(MoveAction.EthSrc, MoveAction.NdTll), OutputInPort.Instance]));
}
