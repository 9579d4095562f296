using Infra.Flows.Flows;
using Infra.Flows.Model;
using Infra.Flows.Pipeline;

namespace Infra.Flows.Tests.Pipeline;

public sealed class PolicyStageTests
{
    private static HostState WebAndAdmin(int webPorts, int adminPorts) => States.OnePort() with
    {
        LocalPorts = Enumerable.Range(1, webPorts).Select(i => States.Local($"w{i}", i, $"fa:16:3e:00:01:{i:x2}", [$"10.0.1.{i}"], "t1", "web"))
            .Concat(Enumerable.Range(1, adminPorts).Select(i => States.Local($"a{i}", 100 + i, $"fa:16:3e:00:02:{i:x2}", [$"10.0.2.{i}"], "t1", "admin")))
            .ToList(),
        Policies =
        [
            new Policy("admin", "t1", [new PolicyRule(Direction.Egress, Protocol.Any, EtherType.V4)]),
            new Policy("web", "t1", [new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 22, 22, RemotePolicy: "admin")]),
        ],
    };

    [Fact]
    public void RemotePolicyRule_CompilesToThreeClauseConjunction()
    {
        var t7 = States.Compile(WebAndAdmin(2, 2)).InTable(Tables.IngressPolicy).Select(f => f.Render()).ToList();
        // conj 1 is admin's egress rule (egress groups are numbered first), conj 2 web's ingress rule.
        Assert.Contains(t7, l => l.Contains("reg0=5001,reg2=1,ct_state=+trk+new-est-rel-inv,actions=conjunction(2,1/3)"));
        Assert.Contains(t7, l => l.Contains("reg0=5001,ip,nw_src=10.0.2.1,actions=conjunction(2,2/3)"));
        Assert.Contains(t7, l => l.Contains("reg0=5001,ip,nw_src=10.0.2.2,actions=conjunction(2,2/3)"));
        Assert.Contains(t7, l => l.Contains("reg0=5001,tcp,tp_dst=22,actions=conjunction(2,3/3)"));
        Assert.Contains(t7, l => l.Contains("reg0=5001,conj_id=2,ip,actions=ct(commit,zone=1),output:NXM_NX_REG2[]"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 10)]
    [InlineData(40, 40)]
    public void RemotePolicyRule_FlowCountGrowsWithPortsPlusMembers_NotTheirProduct(int web, int admin)
    {
        var policyFlows = States.Compile(WebAndAdmin(web, admin)).Flows.Count(f => f.Cookie == Cookies.Policy(5001));
        // egress admin: admin clause-1 flows + 1 rule + 1 conj_id; ingress web: web + admin addrs + 1 rule + 1 conj_id.
        Assert.Equal(admin + 2 + web + admin + 2, policyFlows);
    }

    [Fact]
    public void IdenticalClauses_OfTwoPolicies_AreMergedIntoOneFlow()
    {
        var s = States.OnePort() with
        {
            LocalPorts = [States.Local("p1", 1, "fa:16:3e:00:00:01", ["10.0.0.1"], "t1", "a", "b")],
            Policies =
            [
                new Policy("a", "t1", [new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 22, 22)]),
                new Policy("b", "t1", [new PolicyRule(Direction.Ingress, Protocol.Tcp, EtherType.V4, 22, 22)]),
            ],
        };
        var t7 = States.Compile(s).InTable(Tables.IngressPolicy).Select(f => f.Render()).ToList();
        Assert.Single(t7, l => l.Contains("reg0=5001,tcp,tp_dst=22,actions=conjunction(1,2/2),conjunction(2,2/2)"));
        Assert.Single(t7, l => l.Contains("reg2=1,ct_state=+trk+new-est-rel-inv,actions=conjunction(1,1/2),conjunction(2,1/2)"));
    }

    [Fact]
    public void RemotePolicyWithoutMembers_AdmitsNothing()
    {
        var s = WebAndAdmin(1, 0);
        var t7 = States.Compile(s).InTable(Tables.IngressPolicy);
        Assert.DoesNotContain(t7, f => f.Actions.Any(a => a is ConjunctionAction) || f.Match.Any(m => m is ConjIdMatch));
    }

    [Fact]
    public void CidrRule_IsAPlainMatchInsideTheRuleClause()
    {
        var s = States.OnePort() with
        {
            LocalPorts = [States.Local("p1", 1, "fa:16:3e:00:00:01", ["10.0.0.1"], "t1", "dns")],
            Policies = [new Policy("dns", "t1", [new PolicyRule(Direction.Egress, Protocol.Udp, EtherType.V4, 53, 53, RemoteCidr: "10.0.0.0/8")])],
        };
        var t4 = States.Compile(s).InTable(Tables.EgressPolicy).Select(f => f.Render()).ToList();
        Assert.Contains(t4, l => l.Contains("reg0=5001,udp,nw_dst=10.0.0.0/8,tp_dst=53,actions=conjunction(1,2/2)"));
    }

    [Fact]
    public void ConntrackStates_InvalidDrops_EstablishedAndRelatedPass()
    {
        var t4 = States.Compile(States.OnePort()).InTable(Tables.EgressPolicy).Select(f => f.Render()).ToList();
        Assert.Contains("table=4,priority=300,cookie=0x0100000000000000,ct_state=+trk+inv,actions=drop", t4);
        Assert.Contains("table=4,priority=200,cookie=0x0100000000000000,ct_state=+trk+est-rel-inv,actions=goto_table:5", t4);
        Assert.Contains("table=4,priority=200,cookie=0x0100000000000000,ct_state=+trk+rel-inv,actions=goto_table:5", t4);
        var t3 = States.Compile(States.OnePort()).InTable(Tables.EgressConntrack).Select(f => f.Render()).ToList();
        Assert.Contains("table=3,priority=100,cookie=0x0200000000001389,reg0=5001,ip,actions=ct(zone=1,table=4)", t3);
    }

    [Theory]
    [InlineData(22, 22, "0x16/0xffff")]
    [InlineData(80, 81, "0x50/0xfffe")]
    [InlineData(1024, 2047, "0x400/0xfc00")]
    [InlineData(1000, 1003, "0x3e8/0xfffc")]
    [InlineData(1, 65535, "0x1/0xffff,0x2/0xfffe,0x4/0xfffc,0x8/0xfff8,0x10/0xfff0,0x20/0xffe0,0x40/0xffc0,0x80/0xff80,0x100/0xff00,0x200/0xfe00,0x400/0xfc00,0x800/0xf800,0x1000/0xf000,0x2000/0xe000,0x4000/0xc000,0x8000/0x8000")]
    public void PortBlocks_CoverTheRangeExactly(int lo, int hi, string expected)
    {
        var blocks = ConjunctionPlanner.PortBlocks(lo, hi).ToList();
        Assert.Equal(expected, string.Join(",", blocks.Select(b => $"0x{b.Value:x}/0x{b.Mask:x}")));
        var covered = blocks.SelectMany(b => Enumerable.Range(b.Value, (~b.Mask & 0xffff) + 1)).ToList();
        Assert.Equal(Enumerable.Range(lo, hi - lo + 1), covered);
    }

    [Fact]
    public void PortBlocks_AnyRange_IsCoveredExactlyWithAtMost30Blocks()
    {
        var rnd = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var a = rnd.Next(1, 65536);
            var b = rnd.Next(a, 65536);
            var blocks = ConjunctionPlanner.PortBlocks(a, b).ToList();
            Assert.True(blocks.Count <= 30);
            Assert.Equal(b - a + 1, blocks.Sum(x => (~x.Mask & 0xffff) + 1));
            Assert.All(blocks, x => Assert.InRange((int)x.Value, a, b));
        }
    }
}
