using Infra.Controller.Domain.Commands;
using Dom = Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using Direction = Infra.V1.Direction;
using Protocol = Infra.V1.Protocol;
using IpVersion = Infra.V1.IpVersion;

namespace Infra.Controller.Domain.Tests.Validation;

public class PolicyValidationTests
{
    static Rule Ssh() => new() { Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 22, PortMax = 22, RemoteCidr = "192.0.2.0/24" };

    static CreatePolicyRequest Valid() => new()
    {
        TenantId = Ids.Tenant, Name = "web", Description = "web tier",
        Rules =
        {
            Ssh(),
            new Rule { Direction = Direction.Ingress, Protocol = Protocol.Udp, PortMin = 5000, PortMax = 5100, RemotePolicyId = Ids.Policy2 },
            new Rule { Direction = Direction.Egress },
            new Rule { Direction = Direction.Ingress, Protocol = Protocol.Icmp },
            new Rule { Direction = Direction.Ingress, Protocol = Protocol.Icmpv6, RemoteCidr = "::/0" },
        },
    };

    [Fact]
    public void Create_WhenValid_MapsRulesToDomainTypes()
    {
        var cmd = Expect.Valid(PolicyValidation.Validate(Valid()));
        Assert.Equal(5, cmd.Rules.Length);
        var ssh = cmd.Rules[0];
        Assert.Equal(Dom.Direction.Ingress, ssh.Direction);
        Assert.Equal(Dom.Protocol.Tcp, ssh.Protocol);
        Assert.Equal(new PortRange(22, 22), ssh.Ports);
        Assert.Equal(Dom.IpVersion.V4, ssh.Version); // inferred from the remote cidr
        Assert.Equal("192.0.2.0/24", Assert.IsType<Remote.Cidr>(ssh.Remote).Network.ToString());
        Assert.Equal(Ids.Policy2, Assert.IsType<Remote.Policy>(cmd.Rules[1].Remote).PolicyId);
        Assert.Null(cmd.Rules[1].Version); // both versions
        var any = cmd.Rules[2];
        Assert.Equal((Dom.Protocol.Any, (PortRange?)null, (Dom.IpVersion?)null), (any.Protocol, any.Ports, any.Version));
        Assert.IsType<Remote.Any>(any.Remote);
        Assert.Equal(Dom.IpVersion.V4, cmd.Rules[3].Version); // ICMP implies IPv4
        Assert.Equal(Dom.IpVersion.V6, cmd.Rules[4].Version); // ICMPv6 implies IPv6
    }

    [Fact]
    public void Create_AllPortsIsZeroZero()
    {
        var r = Valid();
        r.Rules[0].PortMin = 0;
        r.Rules[0].PortMax = 0;
        Assert.Null(Expect.Valid(PolicyValidation.Validate(r)).Rules[0].Ports);
    }

    static readonly Dictionary<string, (Action<Rule> Mutate, string Field, string Fragment)> Cases = new()
    {
        ["direction missing"] = (r => r.Direction = Direction.Unspecified, "direction", "is required"),
        ["direction unknown"] = (r => r.Direction = (Direction)7, "direction", "not a known value"),
        ["protocol unknown"] = (r => r.Protocol = (Protocol)9, "protocol", "not a known value"),
        ["port min zero"] = (r => r.PortMin = 0, "port_min", "0 together with port_max 0"),
        ["port min too big"] = (r => { r.PortMin = 70000; r.PortMax = 70000; }, "port_min", "1-65535"),
        ["port max too big"] = (r => r.PortMax = 65536, "port_max", "1-65535"),
        ["port max below min"] = (r => { r.PortMin = 443; r.PortMax = 80; }, "port_max", "below port_min 443"),
        ["ports on any"] = (r => r.Protocol = Protocol.Any, "port_min", "only to TCP and UDP"),
        ["ports on icmp"] = (r => { r.Protocol = Protocol.Icmp; r.RemoteCidr = "0.0.0.0/0"; }, "port_min", "for ICMP set port_min and port_max to 0"),
        ["icmp with v6"] = (r => { r.Protocol = Protocol.Icmp; r.PortMin = r.PortMax = 0; r.IpVersion = IpVersion._6; r.ClearRemote(); }, "ip_version", "use protocol ICMPV6"),
        ["icmpv6 with v4"] = (r => { r.Protocol = Protocol.Icmpv6; r.PortMin = r.PortMax = 0; r.IpVersion = IpVersion._4; r.ClearRemote(); }, "ip_version", "use protocol ICMP for IPv4"),
        ["icmp with v6 remote"] = (r => { r.Protocol = Protocol.Icmp; r.PortMin = r.PortMax = 0; r.RemoteCidr = "fd00::/8"; }, "remote_cidr", "IPv6 but the rule is IPv4 (ICMP)"),
        ["remote version mismatch"] = (r => { r.IpVersion = IpVersion._6; }, "remote_cidr", "IPv4 but the rule is IPv6"),
        ["remote cidr garbage"] = (r => r.RemoteCidr = "anywhere", "remote_cidr", "not a CIDR"),
        ["remote cidr host bits"] = (r => r.RemoteCidr = "192.0.2.1/24", "remote_cidr", "did you mean"),
        ["remote cidr empty"] = (r => r.RemoteCidr = "", "remote_cidr", "is required"),
        ["remote policy wrong kind"] = (r => r.RemotePolicyId = Ids.Port, "remote_policy_id", "not a policy id"),
        ["ip version unknown"] = (r => r.IpVersion = (IpVersion)3, "ip_version", "not a known value"),
        ["id on create"] = (r => r.Id = Ids.Rule, "id", "assigned by the server"),
        ["description control chars"] = (r => r.Description = "a\u0007b", "description", "control characters"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_WhenOneRuleFieldIsBad_ReportsItsPath(string name)
    {
        var (mutate, field, fragment) = Cases[name];
        var r = Valid();
        mutate(r.Rules[0]);
        var result = PolicyValidation.Validate(r);
        Expect.Violation(result, $"rules[0].{field}", fragment);
        Assert.All(result.Violations, v => Assert.StartsWith("rules[0].", v.Field));
    }

    [Fact]
    public void Create_WithManyBadRules_ReportsEveryRuleAtOnce()
    {
        var r = Valid();
        r.Name = "";
        r.Rules[0].Direction = Direction.Unspecified;
        r.Rules[1].PortMax = 1;
        r.Rules[2].PortMin = 5;
        r.Rules[3].IpVersion = IpVersion._6;
        r.Rules[4].RemoteCidr = "10.0.0.0/8";
        Expect.Fields(PolicyValidation.Validate(r), "name", "rules[0].direction", "rules[1].port_max", "rules[2].port_min",
            "rules[3].ip_version", "rules[4].remote_cidr");
    }

    [Fact]
    public void Create_TooManyRules_IsReported()
    {
        var r = Valid();
        for (var i = 0; i < 252; i++) r.Rules.Add(Ssh());
        Expect.Violation(PolicyValidation.Validate(r), "rules", "at most 256");
    }

    [Fact]
    public void Update_KeepsGivenRuleIdsAndRejectsDuplicates()
    {
        var r = new UpdatePolicyRequest { Id = Ids.Policy, Rules = { Ssh(), Ssh() } };
        r.Rules[0].Id = Ids.Rule;
        Assert.Equal(Ids.Rule, Expect.Valid(PolicyValidation.Validate(r)).Rules[0].Id);
        r.Rules[1].Id = Ids.Rule;
        Expect.Violation(PolicyValidation.Validate(r), "rules[1].id", "repeats the id of rules[0]");
        r.Rules[1].Id = "rul-x";
        Expect.Violation(PolicyValidation.Validate(r), "rules[1].id", "not a rule id");
    }

    [Fact]
    public void Update_EmptyRuleListIsAllowedAndMeansAllowNothing() =>
        Assert.Empty(Expect.Valid(PolicyValidation.Validate(new UpdatePolicyRequest { Id = Ids.Policy })).Rules);

    [Fact]
    public void Update_DescriptionOnlyWhenSetDescription()
    {
        var r = new UpdatePolicyRequest { Id = Ids.Policy, Description = "x" };
        Expect.Violation(PolicyValidation.Validate(r), "set_description");
        r.SetDescription = true;
        Assert.Equal("x", Expect.Valid(PolicyValidation.Validate(r)).Description);
        Assert.Null(Expect.Valid(PolicyValidation.Validate(new UpdatePolicyRequest { Id = Ids.Policy })).Description);
    }

    [Fact]
    public void GetListDelete_CheckIds()
    {
        Expect.Violation(PolicyValidation.Validate(new GetPolicyRequest { Id = Ids.Port }), "id", "not a policy id");
        Expect.Valid(PolicyValidation.Validate(new DeletePolicyRequest { Id = Ids.Policy }));
        Assert.Equal(Ids.Tenant, Expect.Valid(PolicyValidation.Validate(new ListPoliciesRequest { TenantId = Ids.Tenant })).TenantId);
    }
}
