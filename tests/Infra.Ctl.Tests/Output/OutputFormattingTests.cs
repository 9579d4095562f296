using Infra.Ctl.Output;
using Infra.V1;

namespace Infra.Ctl.Tests.Output;

/// <summary>Golden tables and JSON: what people and scripts see must not drift by accident.</summary>
public sealed class OutputFormattingTests
{
    static string Render(Action<TextWriter> render)
    {
        var w = new StringWriter { NewLine = "\n" };
        render(w);
        return w.ToString();
    }

    static Network Net(string id, string name, params string[] cidrs)
    {
        var n = new Network { Meta = new ObjectMeta { Id = id, Name = name, Revision = 12 }, TenantId = "ten-1", Mtu = 1450 };
        foreach (var c in cidrs) n.Subnets.Add(new Subnet { Cidr = c });
        return n;
    }

    [Fact]
    public void NetworkTable_AlignsColumnsAndJoinsSubnets()
    {
        var text = Render(w => Infra.Ctl.Output.Render.Networks([Net("net-1", "frontend", "10.0.0.0/24", "fd00:1::/64"), Net("net-22", "db")], w));
        Assert.Equal(
            "ID      NAME      TENANT  SUBNETS                  MTU   REVISION\n" +
            "net-1   frontend  ten-1   10.0.0.0/24,fd00:1::/64  1450  12\n" +
            "net-22  db        ten-1   -                        1450  12\n", text);
    }

    [Fact]
    public void InstanceTable_ShowsStateAndHumanMemory()
    {
        var i = new Instance
        {
            Meta = new ObjectMeta { Id = "i-1", Name = "web" }, TenantId = "ten-1", State = InstanceState.Running,
            Vcpus = 2, CpuMhz = 1500, MemoryMib = 2048, HostId = "h-1",
        };
        Assert.Equal(
            "ID   NAME  TENANT  STATE    VCPUS  CPU-MHZ  MEMORY  HOST  REASON\n" +
            "i-1  web   ten-1   RUNNING  2      1500     2GiB    h-1   -\n", Render(w => Infra.Ctl.Output.Render.Instances([i], w)));
    }

    [Fact]
    public void PolicyDetail_ListsRules()
    {
        var p = new Policy { Meta = new ObjectMeta { Id = "pol-1", Name = "web", Revision = 3 }, TenantId = "ten-1" };
        p.Rules.Add(new Rule { Id = "r1", Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 80, PortMax = 443, RemoteCidr = "0.0.0.0/0" });
        p.Rules.Add(new Rule { Id = "r2", Direction = Direction.Egress, IpVersion = IpVersion._6, RemotePolicyId = "pol-2" });
        Assert.Equal(
            "ID     NAME  TENANT  RULES  DESCRIPTION  REVISION\n" +
            "pol-1  web   ten-1   2      -            3\n" +
            "\n" +
            "RULE  DIRECTION  PROTOCOL  IP   PORTS   REMOTE        DESCRIPTION\n" +
            "r1    INGRESS    TCP       any  80-443  0.0.0.0/0     -\n" +
            "r2    EGRESS     ANY       v6   -       policy:pol-2  -\n", Render(w => Infra.Ctl.Output.Render.Policy(p, w)));
    }

    [Fact]
    public void DrainDryRun_ShowsMovesAndBlockers()
    {
        var r = new DrainHostResponse();
        r.Moves.Add(new DrainMove { InstanceId = "i-1", TargetHostId = "h-2" });
        r.Blockers.Add(new DrainBlocker { InstanceId = "i-2", Reason = "no other host has 16384 MiB free" });
        Assert.Equal(
            "INSTANCE  WOULD-MOVE-TO\n" +
            "i-1       h-2\n" +
            "\n" +
            "BLOCKED-INSTANCE  REASON\n" +
            "i-2               no other host has 16384 MiB free\n", Render(w => Infra.Ctl.Output.Render.Drain(r, w, dryRun: true)));
    }

    [Fact]
    public void Json_IsProtobufJsonOnOneLine()
    {
        var n = Net("net-1", "frontend", "10.0.0.0/24");
        n.Subnets[0].IpVersion = IpVersion._4;
        Assert.Equal(
            "{ \"meta\": { \"id\": \"net-1\", \"name\": \"frontend\", \"revision\": \"12\" }, \"tenantId\": \"ten-1\", " +
            "\"subnets\": [ { \"cidr\": \"10.0.0.0/24\", \"ipVersion\": \"IP_VERSION_4\" } ], \"mtu\": 1450 }", Json.Format(n));
    }

    [Theory]
    [InlineData(EventType.Created, "1 CREATED instance i-1 web RUNNING")]
    [InlineData(EventType.Deleted, "1 DELETED instance i-1 web RUNNING")]
    public void WatchLine_HasRevisionTypeKindIdNameState(EventType type, string expected)
    {
        var e = new WatchEvent { Revision = 1, Type = type, Instance = new Instance { Meta = new ObjectMeta { Id = "i-1", Name = "web" }, State = InstanceState.Running } };
        Assert.Equal(expected, Infra.Ctl.Output.Render.WatchLine(e));
    }

    [Theory]
    [InlineData(0UL, "0B")]
    [InlineData(1536UL, "1.5KiB")]
    [InlineData(10737418240UL, "10GiB")]
    [InlineData(123456789UL, "118MiB")]
    public void Bytes_AreShownInBinaryUnits(ulong bytes, string expected) => Assert.Equal(expected, Infra.Ctl.Cli.Sizes.Bytes(bytes));
}
