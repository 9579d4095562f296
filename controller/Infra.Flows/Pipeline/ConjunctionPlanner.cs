using System.Net;
using Infra.Flows.Flows;
using Infra.Flows.Model;

namespace Infra.Flows.Pipeline;

/// <summary>
/// Compiles a tenant's allow rules into OpenFlow conjunctive matches, so the flow count grows with
/// ports + rules + remote members instead of their product.
///
/// Rules are grouped per (direction, policy S, remote side), where the remote side is either
/// "a CIDR or anywhere" or "ports in policy R". Each group is one conjunction id:
///   clause 1: the local ports that carry S (reg1 = source port for egress, reg2 = destination
///             port for ingress), on new connections only;
///   CIDR group, clause 2: one flow per rule and port block, the CIDR a plain match in it;
///   remote group, clause 2: one flow per address of a port (anywhere in the tenant) in R;
///             clause 3: one flow per rule and port block.
/// A completed conjunction commits the connection in the tenant's zone and passes the packet.
/// Every flow also matches reg0 = the tenant, so tenants with overlapping addresses never meet.
///
/// Clause flows with the same match (two policies allowing tcp/22, say) must be one OpenFlow flow
/// carrying several conjunction actions; FlowCompiler merges them. This is why the whole tenant's
/// policy flows share one cookie: a merged flow can only have one owner.
/// </summary>
internal static class ConjunctionPlanner
{
    public static void Emit(CompileContext c, TenantInfo t, List<Flow> flows)
    {
        var localPorts = c.LocalPorts.Where(p => p.Tenant == t).ToList();
        if (localPorts.Count == 0) return;
        var cookie = Cookies.Policy(t.TunnelKey);
        var tenant = new RegMatch(Regs.Tenant, t.TunnelKey);
        uint nextId = 1;
        foreach (var dir in new[] { Direction.Egress, Direction.Ingress })
        {
            var table = PolicyStage.TableOf(dir);
            var portReg = dir == Direction.Egress ? Regs.SourcePort : Regs.DestPort;
            var remoteIsSource = dir == Direction.Ingress;
            foreach (var policy in c.Policies.Where(p => p.Tenant == t.Id))
            {
                var members = localPorts.Where(p => p.Policies.Contains(policy.Id)).ToList();
                if (members.Count == 0) continue;
                var groups = (policy.Rules ?? []).Where(r => r.Direction == dir)
                    .GroupBy(r => r.RemotePolicy ?? "")
                    .OrderBy(g => g.Key, StringComparer.Ordinal);
                foreach (var g in groups)
                {
                    var remoteAddrs = g.Key == "" ? null : RemoteAddresses(c, g.Key, g);
                    if (remoteAddrs is { Count: 0 }) continue; // nobody in R (of those families): the rules admit nothing
                    var id = nextId++;
                    byte n = remoteAddrs is null ? (byte)2 : (byte)3;
                    foreach (var p in members)
                        flows.Add(Clause(table, cookie, [tenant, new RegMatch(portReg, (uint)p.OfPort!.Value), PolicyStage.NewOnly], id, 1, n));
                    if (remoteAddrs is not null)
                        foreach (var a in remoteAddrs)
                            flows.Add(Clause(table, cookie,
                                [tenant, new ProtoMatch(a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ProtoKind.Ip : ProtoKind.Ipv6),
                                 new IpMatch(remoteIsSource, PortSecurityStage.Host(a))], id, 2, 3));
                    foreach (var r in g)
                    foreach (var m in RuleMatches(tenant, r, remoteIsSource))
                        flows.Add(Clause(table, cookie, m, id, n, n));
                    // ct needs an IP match, so one conj_id flow per family the group's rules use.
                    foreach (var family in g.Select(r => r.EtherType).Distinct().Order())
                        flows.Add(new Flow(table, Priorities.Normal, cookie,
                            [tenant, new ConjIdMatch(id), new ProtoMatch(family == EtherType.V4 ? ProtoKind.Ip : ProtoKind.Ipv6)],
                            [new ConntrackAction(t.CtZone, null, Commit: true), PolicyStage.Pass(dir)]));
                }
            }
        }
    }

    private static Flow Clause(byte table, ulong cookie, MatchField[] match, uint id, byte k, byte n) =>
        new(table, Priorities.Normal, cookie, match, [new ConjunctionAction(id, k, n)]);

    private static List<IPAddress> RemoteAddresses(CompileContext c, string remotePolicy, IEnumerable<PolicyRule> rules)
    {
        var wantV4 = rules.Any(r => r.EtherType == EtherType.V4);
        var wantV6 = rules.Any(r => r.EtherType == EtherType.V6);
        if (!c.MembersByPolicy.TryGetValue(remotePolicy, out var ports)) return [];
        return ports.SelectMany(p => (wantV4 ? p.V4 : []).Concat(wantV6 ? p.V6 : []))
            .Distinct().Order(Comparer<IPAddress>.Create(CompileContext.CompareAddresses)).ToList();
    }

    /// <summary>The protocol, port blocks and CIDR of one rule, one match per port block.</summary>
    internal static IEnumerable<MatchField[]> RuleMatches(RegMatch tenant, PolicyRule r, bool remoteIsSource)
    {
        var proto = (r.Protocol, r.EtherType) switch
        {
            (Protocol.Tcp, EtherType.V4) => ProtoKind.Tcp,
            (Protocol.Tcp, EtherType.V6) => ProtoKind.Tcp6,
            (Protocol.Udp, EtherType.V4) => ProtoKind.Udp,
            (Protocol.Udp, EtherType.V6) => ProtoKind.Udp6,
            (Protocol.Icmp, _) => ProtoKind.Icmp,
            (Protocol.Icmpv6, _) => ProtoKind.Icmp6,
            (_, EtherType.V4) => ProtoKind.Ip,
            _ => ProtoKind.Ipv6,
        };
        var head = new List<MatchField> { tenant, new ProtoMatch(proto) };
        if (r.RemoteCidr is not null && IPNetwork.Parse(r.RemoteCidr) is { PrefixLength: > 0 } net)
            head.Add(new IpMatch(remoteIsSource, net));
        if (r.PortMin is { } lo && r.PortMax is { } hi && !(lo == 1 && hi == 65535))
            foreach (var (v, mask) in PortBlocks(lo, hi))
                yield return [.. head, new TpDstMatch(v, mask)];
        else
            yield return [.. head];
    }

    /// <summary>Covers [lo, hi] with the fewest value/mask blocks (at most 2 per bit, so ≤ 30).</summary>
    internal static IEnumerable<(ushort Value, ushort Mask)> PortBlocks(int lo, int hi)
    {
        while (lo <= hi)
        {
            var size = lo == 0 ? 0x10000 : lo & -lo;
            while (lo + size - 1 > hi) size >>= 1;
            yield return ((ushort)lo, (ushort)(~(size - 1) & 0xffff));
            lo += size;
        }
    }
}
