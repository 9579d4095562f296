using System.Net;
using Infra.Flows.Flows;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

/// <summary>
/// DHCP and router solicitation, answered on this host by the agent's responder (the internal port
/// infra-dhcp), with no packet-in and nothing else of the pipeline opened:
/// <list type="bullet">
/// <item>Table 1, above the ND guard: a local port's DHCP client frame (UDP 68→67) or RS, from its
/// own MAC, goes only to the responder, its destination MAC rewritten to the tag
/// <c>0e:74:00:00:HH:LL</c> (HHLL = the port's ofport). The tag is written by the switch, so the
/// responder knows which port asked without trusting anything in the frame, and answers with that
/// port's own configuration only.</item>
/// <item>Table 1 guard: DHCP server frames (UDP 67→68) from a VM are dropped: no rogue DHCP server.</item>
/// <item>Table 0: whatever comes in from the responder goes to table 9. Table 9 delivers a DHCP
/// answer or RA addressed to tag P only to port P (destination MAC set to P's MAC); the miss drops
/// everything else, so the responder cannot reach a tunnel, another tenant, or any port it does not name.</item>
/// </list>
/// </summary>
internal static class GuestServicesStage
{
    /// <summary>Locally administered prefix of the port tags: 0e:74 ("t") then 00:00 and the ofport.</summary>
    public const ulong TagPrefix = 0x0e_74_00_00_00_00UL;

    public static Mac TagOf(int ofport) => new(TagPrefix | (uint)ofport);

    public static void Emit(CompileContext c, GuestServices? services, List<Flow> flows)
    {
        if (services is not { } g) return;
        flows.Add(new Flow(Tables.GuestServices, Priorities.Miss, Cookies.Base, [], [DropAction.Instance]));
        flows.Add(new Flow(Tables.PortSecurity, Priorities.Guard, Cookies.Base,
            [new ProtoMatch(ProtoKind.Udp), new TpSrcMatch(67), new TpDstMatch(68, 0xffff)], [DropAction.Instance]));
        flows.Add(new Flow(Tables.Classify, Priorities.Normal, Cookies.Base,
            [new InPortMatch(g.OfPort)], [new GotoTable(Tables.GuestServices)]));
        foreach (var p in c.LocalPorts)
        {
            var ofport = p.OfPort!.Value;
            var tag = TagOf(ofport);
            var port = new RegMatch(Regs.SourcePort, (uint)ofport);
            var src = new EthSrcMatch(p.Mac);
            FlowAction[] toResponder = [new SetField(SetFieldKind.EthDst, tag), new OutputPort(g.OfPort)];
            flows.Add(new Flow(Tables.PortSecurity, Priorities.Override, p.Cookie,
                [port, new ProtoMatch(ProtoKind.Udp), src, new TpSrcMatch(68), new TpDstMatch(67, 0xffff)], toResponder));
            flows.Add(new Flow(Tables.PortSecurity, Priorities.Override, p.Cookie,
                [port, new ProtoMatch(ProtoKind.Icmp6), src, new Icmpv6TypeMatch(133)], toResponder));

            var fromResponder = new InPortMatch(g.OfPort);
            FlowAction[] deliver = [new SetField(SetFieldKind.EthDst, p.Mac), new OutputPort(ofport)];
            flows.Add(new Flow(Tables.GuestServices, Priorities.Normal, p.Cookie,
                [fromResponder, new ProtoMatch(ProtoKind.Udp), new EthDstMatch(tag), new TpSrcMatch(67), new TpDstMatch(68, 0xffff)], deliver));
            flows.Add(new Flow(Tables.GuestServices, Priorities.Normal, p.Cookie,
                [fromResponder, new ProtoMatch(ProtoKind.Icmp6), new EthDstMatch(tag), new Icmpv6TypeMatch(134)], deliver));
        }
    }
}
