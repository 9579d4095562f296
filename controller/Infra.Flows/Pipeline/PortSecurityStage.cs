using System.Net;
using Infra.Flows.Flows;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Table 1: a VM may only send from its own MAC and addresses. ARP and neighbor discovery go to
/// the responder (table 2) only when every address in them is the VM's own; IP goes to egress
/// conntrack. Router advertisements, redirects and spoofed ND are dropped before the generic IPv6
/// admit can see them. DAD probes (source ::) are dropped: no reply means "address is free".
/// </summary>
internal static class PortSecurityStage
{
    private const ushort NdAdmit = Priorities.Override;

    public static void Emit(CompileContext c, List<Flow> flows)
    {
        // ND types 133 RS, 134 RA, 135 NS, 136 NA, 137 redirect: never admitted by the generic IPv6 flow.
        for (byte type = 133; type <= 137; type++)
            flows.Add(new Flow(Tables.PortSecurity, Priorities.Guard, Cookies.Base,
                [new ProtoMatch(ProtoKind.Icmp6), new Icmpv6TypeMatch(type)], [DropAction.Instance]));

        foreach (var p in c.LocalPorts)
        {
            var port = new RegMatch(Regs.SourcePort, (uint)p.OfPort!.Value);
            var src = new EthSrcMatch(p.Mac);
            foreach (var ip in p.V4)
            {
                flows.Add(new Flow(Tables.PortSecurity, Priorities.Normal, p.Cookie,
                    [port, new ProtoMatch(ProtoKind.Arp), src, new ArpSpaMatch(ip), new ArpShaMatch(p.Mac)],
                    [new GotoTable(Tables.Responder)]));
                flows.Add(new Flow(Tables.PortSecurity, Priorities.Normal, p.Cookie,
                    [port, new ProtoMatch(ProtoKind.Ip), src, new IpMatch(true, Host(ip))],
                    [new GotoTable(Tables.EgressConntrack)]));
            }
            foreach (var ip in p.V6)
            {
                flows.Add(new Flow(Tables.PortSecurity, Priorities.Normal, p.Cookie,
                    [port, new ProtoMatch(ProtoKind.Ipv6), src, new IpMatch(true, Host(ip))],
                    [new GotoTable(Tables.EgressConntrack)]));
                flows.Add(new Flow(Tables.PortSecurity, NdAdmit, p.Cookie,
                    [port, new ProtoMatch(ProtoKind.Icmp6), src, new IpMatch(true, Host(ip)), new Icmpv6TypeMatch(135), new NdSllMatch(p.Mac)],
                    [new GotoTable(Tables.Responder)]));
                flows.Add(new Flow(Tables.PortSecurity, NdAdmit, p.Cookie,
                    [port, new ProtoMatch(ProtoKind.Icmp6), src, new IpMatch(true, Host(ip)), new Icmpv6TypeMatch(136), new NdTargetMatch(ip), new NdTllMatch(p.Mac)],
                    [new GotoTable(Tables.Responder)]));
            }
        }
    }

    internal static IPNetwork Host(IPAddress ip) => new(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
}
