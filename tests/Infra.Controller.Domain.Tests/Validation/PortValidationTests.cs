using Infra.Controller.Domain.Commands;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using FixedIp = Infra.V1.FixedIp;

namespace Infra.Controller.Domain.Tests.Validation;

public class PortValidationTests
{
    static CreatePortRequest Valid() => new()
    {
        NetworkId = Ids.Network, Name = "eth0", MacAddress = "02:00:00:aa:bb:cc",
        FixedIps = { new FixedIp { SubnetCidr = "10.0.0.0/24", Address = "10.0.0.5" }, new FixedIp { SubnetCidr = "fd00:1::/64" } },
        PolicyIds = { Ids.Policy, Ids.Policy2 },
    };

    [Fact]
    public void Create_WhenValid_ParsesMacAndAddresses()
    {
        var cmd = Expect.Valid(PortValidation.Validate(Valid()));
        Assert.Equal("02:00:00:aa:bb:cc", cmd.Mac!.Value.ToString());
        Assert.Equal("10.0.0.5", cmd.FixedIps[0].Address!.ToString());
        Assert.Null(cmd.FixedIps[1].Address);
        Assert.Equal([Ids.Policy, Ids.Policy2], cmd.PolicyIds.ToArray());
    }

    [Fact]
    public void Create_Minimal_LeavesEverythingToIpam()
    {
        var cmd = Expect.Valid(PortValidation.Validate(new CreatePortRequest { NetworkId = Ids.Network }));
        Assert.Null(cmd.Name);
        Assert.Null(cmd.Mac);
        Assert.Empty(cmd.FixedIps);
        Assert.Empty(cmd.PolicyIds);
    }

    [Fact]
    public void Create_AcceptsUniversallyAdministeredUnicastMac()
    {
        var r = Valid();
        r.MacAddress = "00:50:56:AB:CD:EF";
        Assert.Equal("00:50:56:ab:cd:ef", Expect.Valid(PortValidation.Validate(r)).Mac.ToString());
    }

    static readonly Dictionary<string, (Action<CreatePortRequest> Mutate, string Field, string Fragment)> Cases = new()
    {
        ["network missing"] = (r => r.NetworkId = "", "network_id", "is required"),
        ["name bad"] = (r => r.Name = "Eth0", "name", "only a-z"),
        ["mac multicast"] = (r => r.MacAddress = "03:00:00:00:00:01", "mac_address", "unicast"),
        ["mac broadcast"] = (r => r.MacAddress = "ff:ff:ff:ff:ff:ff", "mac_address", "unicast"),
        ["mac zero"] = (r => r.MacAddress = "00:00:00:00:00:00", "mac_address", "all-zero"),
        ["mac garbage"] = (r => r.MacAddress = "02:00:00:aa:bb", "mac_address", "six hex octets"),
        ["fixed ip empty"] = (r => r.FixedIps[1].SubnetCidr = "", "fixed_ips[1]", "give subnet_cidr"),
        ["fixed ip outside subnet"] = (r => r.FixedIps[0].Address = "10.0.1.5", "fixed_ips[0].address", "outside the subnet"),
        ["fixed ip network address"] = (r => r.FixedIps[0].Address = "10.0.0.0", "fixed_ips[0].address", "network address"),
        ["fixed ip broadcast"] = (r => r.FixedIps[0].Address = "10.0.0.255", "fixed_ips[0].address", "broadcast"),
        ["fixed ip garbage"] = (r => r.FixedIps[0].Address = "10.0.0.x", "fixed_ips[0].address", "not an IP address"),
        ["fixed ip subnet host bits"] = (r => r.FixedIps[1].SubnetCidr = "fd00:1::1/64", "fixed_ips[1].subnet_cidr", "did you mean"),
        ["two in one subnet"] = (r => r.FixedIps[1].SubnetCidr = "10.0.0.0/24", "fixed_ips[1].subnet_cidr", "at most one address per subnet"),
        ["same address twice"] = (r => r.FixedIps.Add(new FixedIp { Address = "10.0.0.5" }), "fixed_ips[2].address", "already asked for in fixed_ips[0]"),
        ["policy wrong kind"] = (r => r.PolicyIds[1] = Ids.Port, "policy_ids[1]", "not a policy id"),
        ["policy twice"] = (r => r.PolicyIds[1] = Ids.Policy, "policy_ids[1]", "listed twice"),
        ["too many policies"] = (r => r.PolicyIds.AddRange(Enumerable.Range(0, 15).Select(i => "pol-" + new string((char)('c' + i), 16))), "policy_ids", "at most 16"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_WhenOneFieldIsBad_ReportsItsPath(string name)
    {
        var (mutate, field, fragment) = Cases[name];
        var r = Valid();
        mutate(r);
        var result = PortValidation.Validate(r);
        Expect.Violation(result, field, fragment);
        Assert.All(result.Violations, v => Assert.Equal(field, v.Field));
    }

    [Fact]
    public void Create_WithManyBadFields_ReportsAllAtOnce()
    {
        var r = Valid();
        r.NetworkId = Ids.Tenant;
        r.MacAddress = "ff:ff:ff:ff:ff:ff";
        r.FixedIps[0].Address = "10.9.9.9";
        r.PolicyIds[0] = "";
        Expect.Fields(PortValidation.Validate(r), "network_id", "mac_address", "fixed_ips[0].address", "policy_ids[0]");
    }

    static SubnetSpec Subnet(string cidr, string? gateway)
    {
        var v = new Violations();
        var s = SubnetValidation.Subnet(v, "s", new Subnet { Cidr = cidr, Gateway = gateway ?? "" });
        Assert.False(v.Any);
        return s!;
    }

    static readonly SubnetSpec[] NetworkSubnets = [Subnet("10.0.0.0/24", "10.0.0.1"), Subnet("fd00:1::/64", null)];

    [Fact]
    public void Resolve_FillsTheSubnetOfABareAddress()
    {
        var r = new CreatePortRequest { NetworkId = Ids.Network, FixedIps = { new FixedIp { Address = "fd00:1::10" }, new FixedIp { SubnetCidr = "10.0.0.0/24" } } };
        var cmd = Expect.Valid(PortValidation.Validate(r));
        var v = new Violations();
        var resolved = FixedIpValidation.Resolve(v, "fixed_ips", cmd.FixedIps, NetworkSubnets);
        Assert.False(v.Any, string.Join("; ", v.ToImmutable()));
        Assert.Equal(["fd00:1::/64", "10.0.0.0/24"], resolved.Select(f => f.Subnet.ToString()));
    }

    [Theory]
    [InlineData("", "192.168.1.5", "fixed_ips[0].address", "in no subnet of this network")]
    [InlineData("192.168.1.0/24", "", "fixed_ips[0].subnet_cidr", "not a subnet of this network; its subnets are 10.0.0.0/24, fd00:1::/64")]
    [InlineData("", "10.0.0.1", "fixed_ips[0].address", "gateway")]
    [InlineData("", "10.0.0.255", "fixed_ips[0].address", "broadcast")]
    public void Resolve_WhenAddressDoesNotFitTheNetwork_ReportsIt(string subnet, string address, string field, string fragment)
    {
        var cmd = Expect.Valid(PortValidation.Validate(new CreatePortRequest { NetworkId = Ids.Network, FixedIps = { new FixedIp { SubnetCidr = subnet, Address = address } } }));
        var v = new Violations();
        FixedIpValidation.Resolve(v, "fixed_ips", cmd.FixedIps, NetworkSubnets);
        Expect.Violation(ValidationResult<object>.Invalid(v.ToImmutable()), field, fragment);
    }

    [Fact]
    public void Resolve_WhenTwoAddressesLandInOneSubnet_ReportsTheSecond()
    {
        var cmd = Expect.Valid(PortValidation.Validate(new CreatePortRequest
        {
            NetworkId = Ids.Network, FixedIps = { new FixedIp { Address = "10.0.0.5" }, new FixedIp { Address = "10.0.0.6" } },
        }));
        var v = new Violations();
        FixedIpValidation.Resolve(v, "fixed_ips", cmd.FixedIps, NetworkSubnets);
        Expect.Violation(ValidationResult<object>.Invalid(v.ToImmutable()), "fixed_ips[1]", "at most one address per subnet");
    }

    [Fact]
    public void Update_ReplacesOnlyWhatIsFlagged()
    {
        var r = new UpdatePortRequest { Id = Ids.Port, SetPolicies = true };
        var cmd = Expect.Valid(PortValidation.Validate(r));
        Assert.Empty(cmd.PolicyIds!.Value); // empty list: allow nothing
        Assert.Null(cmd.Labels);
        Expect.Violation(PortValidation.Validate(new UpdatePortRequest { Id = Ids.Port }), "set_policies", "nothing to change");
        Expect.Violation(PortValidation.Validate(new UpdatePortRequest { Id = Ids.Port, PolicyIds = { Ids.Policy }, SetLabels = true }), "set_policies", "set it to true");
    }

    [Fact]
    public void ListGetDelete_CheckIds()
    {
        Expect.Fields(PortValidation.Validate(new ListPortsRequest { TenantId = "t", NetworkId = "n", InstanceId = "i" }), "tenant_id", "network_id", "instance_id");
        Expect.Valid(PortValidation.Validate(new ListPortsRequest { InstanceId = Ids.Instance }));
        Expect.Violation(PortValidation.Validate(new GetPortRequest { Id = Ids.Network }), "id", "not a port id");
        Expect.Valid(PortValidation.Validate(new DeletePortRequest { Id = Ids.Port }));
    }
}
