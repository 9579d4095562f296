using Infra.Agent.Network.Flows;
using Infra.Agent.Network.Model;

namespace Infra.Agent.Network.Tests.Flows;

public class FlowDeltaTests
{
    private static Dictionary<ulong, FlowGroup> G(params FlowSpec[] flows) => FlowGroup.GroupAll(flows);
    private static FlowSpec F(ulong c, string match, string actions = "drop", ushort prio = 10) => new(c, 0, prio, match, actions);

    [Fact]
    public void SameFlows_GiveEmptyDelta() =>
        Assert.True(FlowDelta.Compute(G(F(1, "in_port=1"), F(2, "ip")), G(F(2, "ip"), F(1, "in_port=1"))).IsEmpty);

    [Fact]
    public void OnlyChangedGroupIsTouched_PerFlow()
    {
        var d = FlowDelta.Compute(
            G(F(1, "in_port=1"), F(1, "in_port=2"), F(2, "ip")),
            G(F(1, "in_port=1"), F(1, "in_port=3"), F(2, "ip")));
        Assert.Equal([1UL], d.ChangedCookies);
        Assert.Equal(["delete_strict cookie=0x1/-1,table=0,priority=10,in_port=2", "add cookie=0x1,table=0,priority=10,in_port=3,actions=drop"], d.ToLines());
    }

    [Fact]
    public void KeepUndesired_KeepsAbsentGroups_ButAChangedGroupStillChanges()
    {
        var desired = FlowInstaller.KeepUndesired(G(F(1, "in_port=3")), G(F(1, "in_port=1"), F(2, "ip")).Values);
        var d = FlowDelta.Compute(G(F(1, "in_port=1"), F(2, "ip")), desired);
        Assert.Equal([1UL], d.ChangedCookies);
        Assert.Equal(["delete_strict cookie=0x1/-1,table=0,priority=10,in_port=1", "add cookie=0x1,table=0,priority=10,in_port=3,actions=drop"], d.ToLines());
    }

    [Fact]
    public void ChangedActions_AreReAddedWithoutDelete()
    {
        var d = FlowDelta.Compute(G(F(1, "ip", "drop")), G(F(1, "ip", "output:2")));
        Assert.Empty(d.Deletes);
        Assert.Equal("add cookie=0x1,table=0,priority=10,ip,actions=output:2", Assert.Single(d.ToLines()));
    }

    [Fact]
    public void RemovedGroup_DeletesAllItsFlows_AndNewGroupAddsAll()
    {
        var d = FlowDelta.Compute(G(F(1, "in_port=1"), F(1, "in_port=2")), G(F(3, "ip"), F(3, "arp")));
        Assert.Equal([1UL, 3UL], d.ChangedCookies);
        Assert.Equal(2, d.Deletes.Count);
        Assert.Equal(2, d.Adds.Count);
        Assert.StartsWith("delete_strict", d.ToLines().First());
    }

    [Theory]
    [InlineData(" cookie=0x5, duration=1.2s, table=1, n_packets=0, n_bytes=0, priority=10,ip,in_port=1 actions=drop", 5UL, 1, 10, "ip,in_port=1", "drop")]
    [InlineData(" cookie=0x1a2b, table=0, priority=0 actions=drop", 0x1a2bUL, 0, 0, "", "drop")]
    [InlineData(" priority=10,tun_id=0x1389,in_port=100 actions=output:1", 0UL, 0, 10, "tun_id=0x1389,in_port=100", "output:1")]
    [InlineData(" cookie=0x2, in_port=1 actions=set_field:0x1389->tun_id,output:100", 2UL, 0, 32768, "in_port=1", "set_field:0x1389->tun_id,output:100")]
    public void DumpParser_ReadsCookieTablePriorityMatchActions(string line, ulong cookie, byte table, ushort prio, string match, string actions)
    {
        var f = Assert.Single(FlowDumpParser.Parse("NXST_FLOW reply (xid=0x4):\n" + line + "\n"));
        Assert.Equal(new DumpedFlow(cookie, table, prio, match, actions), f);
    }
}
