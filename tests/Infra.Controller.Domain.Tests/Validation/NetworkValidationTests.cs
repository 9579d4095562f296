using System.Net;
using Infra.Controller.Domain.Model;
using Infra.Controller.Domain.Validation;
using Infra.V1;
using AddressRange = Infra.V1.AddressRange;
using IpVersion = Infra.Controller.Domain.Model.IpVersion;

namespace Infra.Controller.Domain.Tests.Validation;

public class NetworkValidationTests
{
    static Subnet V4() => new()
    {
        Cidr = "10.0.0.0/24", Gateway = "10.0.0.1", DnsServers = { "10.0.0.2", "2001:db8::53" },
        AllocationRanges = { new AddressRange { First = "10.0.0.10", Last = "10.0.0.99" }, new AddressRange { First = "10.0.0.100", Last = "10.0.0.200" } },
    };

    static Subnet V6() => new() { Cidr = "fd00:1::/64", Gateway = "fd00:1::1" };

    static CreateNetworkRequest Valid() => new() { TenantId = Ids.Tenant, Name = "web", Subnets = { V4(), V6() } };

    [Fact]
    public void Create_WhenValid_MapsToParsedCommand()
    {
        var cmd = Expect.Valid(NetworkValidation.Validate(Valid()));
        Assert.Equal(Ids.Tenant, cmd.TenantId);
        Assert.Equal(1450, cmd.Mtu);
        Assert.Equal(2, cmd.Subnets.Length);
        var v4 = cmd.Subnets[0];
        Assert.Equal("10.0.0.0/24", v4.Cidr.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.1"), v4.Gateway);
        Assert.Equal(["10.0.0.2", "2001:db8::53"], v4.DnsServers.Select(a => a.ToString()));
        Assert.Equal(IPAddress.Parse("10.0.0.100"), v4.AllocationRanges[1].First);
        Assert.Equal(IpVersion.V6, cmd.Subnets[1].Cidr.Version);
    }

    [Fact]
    public void Create_WithoutSubnets_IsAnL2OnlyNetwork() =>
        Assert.Empty(Expect.Valid(NetworkValidation.Validate(new CreateNetworkRequest { TenantId = Ids.Tenant, Name = "l2" })).Subnets);

    [Fact]
    public void Create_WithoutGateway_IsAccepted()
    {
        var r = Valid();
        r.Subnets[0].Gateway = "";
        Assert.Null(Expect.Valid(NetworkValidation.Validate(r)).Subnets[0].Gateway);
    }

    // One row per rule: a mutation of a valid request and the field path it must be reported on.
    static readonly Dictionary<string, (Action<CreateNetworkRequest> Mutate, string Field, string Fragment)> Cases = new()
    {
        ["tenant missing"] = (r => r.TenantId = "", "tenant_id", "is required"),
        ["tenant wrong kind"] = (r => r.TenantId = Ids.Network, "tenant_id", "not a tenant id"),
        ["name missing"] = (r => r.Name = "", "name", "is required"),
        ["cidr missing"] = (r => r.Subnets[1].Cidr = "", "subnets[1].cidr", "is required"),
        ["cidr garbage"] = (r => r.Subnets[1].Cidr = "fd00:1::", "subnets[1].cidr", "not a CIDR"),
        ["cidr host bits"] = (r => r.Subnets[0].Cidr = "10.0.0.5/24", "subnets[0].cidr", "did you mean 10.0.0.0/24"),
        ["v4 prefix too short"] = (r => { r.Subnets[0] = new Subnet { Cidr = "10.0.0.0/7" }; }, "subnets[0].cidr", "/8 to /30"),
        ["v4 prefix too long"] = (r => { r.Subnets[0] = new Subnet { Cidr = "10.0.0.0/31" }; }, "subnets[0].cidr", "/8 to /30"),
        ["v6 prefix too short"] = (r => { r.Subnets[1] = new Subnet { Cidr = "fd00::/47" }; }, "subnets[1].cidr", "/48 to /124"),
        ["v6 prefix too long"] = (r => { r.Subnets[1] = new Subnet { Cidr = "fd00::/125" }; }, "subnets[1].cidr", "/48 to /124"),
        ["loopback"] = (r => { r.Subnets[0] = new Subnet { Cidr = "127.0.0.0/24" }; }, "subnets[0].cidr", "not ordinary unicast"),
        ["multicast"] = (r => { r.Subnets[0] = new Subnet { Cidr = "224.0.0.0/24" }; }, "subnets[0].cidr", "not ordinary unicast"),
        ["v6 link-local"] = (r => { r.Subnets[1] = new Subnet { Cidr = "fe80::/64" }; }, "subnets[1].cidr", "not ordinary unicast"),
        ["gateway outside"] = (r => r.Subnets[0].Gateway = "10.0.1.1", "subnets[0].gateway", "outside the subnet"),
        ["gateway network address"] = (r => r.Subnets[0].Gateway = "10.0.0.0", "subnets[0].gateway", "network address"),
        ["gateway broadcast"] = (r => r.Subnets[0].Gateway = "10.0.0.255", "subnets[0].gateway", "broadcast"),
        ["gateway other version"] = (r => r.Subnets[0].Gateway = "fd00:1::1", "subnets[0].gateway", "outside the subnet"),
        ["gateway v6 subnet-router anycast"] = (r => r.Subnets[1].Gateway = "fd00:1::", "subnets[1].gateway", "network address"),
        ["gateway garbage"] = (r => r.Subnets[0].Gateway = "10.0.0.256", "subnets[0].gateway", "not an IP address"),
        ["dns garbage"] = (r => r.Subnets[0].DnsServers[1] = "dns.example.com", "subnets[0].dns_servers[1]", "not an IP address"),
        ["dns too many"] = (r => r.Subnets[0].DnsServers.AddRange(Enumerable.Range(1, 7).Select(i => $"10.0.0.{i + 2}")), "subnets[0].dns_servers", "at most 8"),
        ["range outside"] = (r => r.Subnets[0].AllocationRanges[0].Last = "10.0.1.9", "subnets[0].allocation_ranges[0].last", "outside the subnet"),
        ["range includes network"] = (r => r.Subnets[0].AllocationRanges[0].First = "10.0.0.0", "subnets[0].allocation_ranges[0].first", "network address"),
        ["range includes broadcast"] = (r => r.Subnets[0].AllocationRanges[1].Last = "10.0.0.255", "subnets[0].allocation_ranges[1].last", "broadcast"),
        ["range reversed"] = (r => { r.Subnets[0].AllocationRanges[0].First = "10.0.0.50"; r.Subnets[0].AllocationRanges[0].Last = "10.0.0.20"; }, "subnets[0].allocation_ranges[0]", "swap them"),
        ["range overlap"] = (r => r.Subnets[0].AllocationRanges[1].First = "10.0.0.99", "subnets[0].allocation_ranges[1]", "overlaps subnets[0].allocation_ranges[0]"),
        ["range holds gateway"] = (r => r.Subnets[0].AllocationRanges[0].First = "10.0.0.1", "subnets[0].allocation_ranges[0]", "contains the gateway"),
        ["range missing end"] = (r => r.Subnets[0].AllocationRanges[0].Last = "", "subnets[0].allocation_ranges[0].last", "is required"),
        ["subnets overlap"] = (r => r.Subnets.Add(new Subnet { Cidr = "10.0.0.128/25" }), "subnets[2].cidr", "overlaps subnets[0]"),
        ["ip version contradicts cidr"] = (r => r.Subnets[1].IpVersion = Infra.V1.IpVersion._4, "subnets[1].ip_version", "derived from the cidr"),
        ["mtu too small"] = (r => r.Mtu = 1279, "mtu", "IPv6 needs at least 1280"),
        ["mtu too large"] = (r => r.Mtu = 9001, "mtu", "or 0 for the default 1450"),
        ["request id long"] = (r => r.RequestId = new string('r', 129), "request_id", "at most 128"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Create_WhenOneFieldIsBad_ReportsItsPath(string name)
    {
        var (mutate, field, fragment) = Cases[name];
        var r = Valid();
        mutate(r);
        var result = NetworkValidation.Validate(r);
        Expect.Violation(result, field, fragment);
        Assert.All(result.Violations, v => Assert.Equal(field, v.Field));
    }

    [Theory]
    [InlineData(0u, 1450)]
    [InlineData(1280u, 1280)]
    [InlineData(9000u, 9000)]
    public void Create_MtuWithIpv6_AcceptsFrom1280(uint mtu, int expected)
    {
        var r = Valid();
        r.Mtu = mtu;
        Assert.Equal(expected, Expect.Valid(NetworkValidation.Validate(r)).Mtu);
    }

    [Theory]
    [InlineData(576u, true)]
    [InlineData(575u, false)]
    public void Create_MtuIpv4Only_AcceptsFrom576(uint mtu, bool ok)
    {
        var r = Valid();
        r.Subnets.RemoveAt(1);
        r.Mtu = mtu;
        Assert.Equal(ok, NetworkValidation.Validate(r).IsValid);
    }

    [Fact]
    public void Create_WithManyBadFields_ReportsAllAtOnce()
    {
        var r = Valid();
        foreach (var name in new[] { "tenant missing", "cidr host bits", "gateway broadcast", "dns garbage", "range reversed", "mtu too large" })
            Cases[name].Mutate(r);
        r.Subnets[1].Cidr = "fd00:1::/200";
        Expect.Fields(NetworkValidation.Validate(r), "tenant_id", "subnets[0].cidr", "subnets[0].dns_servers[1]",
            "subnets[1].cidr", "mtu");
        // The gateway and range checks need a parsed cidr; with the cidr broken they stay silent rather than guess.
    }

    [Fact]
    public void Create_WithManyBadFieldsAndGoodCidrs_ReportsEachField()
    {
        var r = Valid();
        r.Name = "-";
        r.Subnets[0].Gateway = "10.0.0.255";
        r.Subnets[0].AllocationRanges[1].First = "10.0.0.99";
        r.Subnets[1].Gateway = "10.0.0.1";
        r.Mtu = 100;
        var result = NetworkValidation.Validate(r);
        Expect.Fields(result, "name", "subnets[0].gateway", "subnets[0].allocation_ranges[1]", "subnets[1].gateway", "mtu");
    }

    [Fact]
    public void Create_TooManySubnets_IsReported()
    {
        var r = new CreateNetworkRequest { TenantId = Ids.Tenant, Name = "many" };
        for (var i = 0; i < 17; i++) r.Subnets.Add(new Subnet { Cidr = $"10.{i}.0.0/16" });
        Expect.Violation(NetworkValidation.Validate(r), "subnets", "at most 16");
    }

    [Fact]
    public void Update_WhenAddedSubnetOverlapsExisting_ReportsTheAddedSubnet()
    {
        IpCidr.TryParse("10.0.0.0/16", out var existing, out _);
        var r = new UpdateNetworkRequest { Id = Ids.Network, AddSubnets = { new Subnet { Cidr = "10.0.5.0/24" } } };
        Expect.Violation(NetworkValidation.Validate(r, [existing]), "add_subnets[0].cidr", "overlaps the network's existing subnet 10.0.0.0/16");
        Assert.True(NetworkValidation.Validate(r).IsValid);
    }

    [Fact]
    public void Update_LabelsOnlyWhenSetLabels()
    {
        var r = new UpdateNetworkRequest { Id = Ids.Network, Labels = { ["a"] = "b" } };
        Expect.Violation(NetworkValidation.Validate(r), "set_labels", "set it to true");
        r.SetLabels = true;
        Assert.Equal("b", Expect.Valid(NetworkValidation.Validate(r)).Labels!.Items["a"]);
    }

    [Fact]
    public void Update_WithNothingToChange_IsReported() =>
        Expect.Violation(NetworkValidation.Validate(new UpdateNetworkRequest { Id = Ids.Network }), "add_subnets", "nothing to change");

    [Fact]
    public void GetListDeleteAllocations_CheckIdsAndPaging()
    {
        Expect.Violation(NetworkValidation.Validate(new GetNetworkRequest { Id = Ids.Tenant }), "id", "not a network id");
        Expect.Valid(NetworkValidation.Validate(new DeleteNetworkRequest { Id = Ids.Network }));
        Assert.Null(Expect.Valid(NetworkValidation.Validate(new ListNetworksRequest())).TenantId);
        Expect.Violation(NetworkValidation.Validate(new ListNetworksRequest { TenantId = "x" }), "tenant_id");
        Expect.Fields(NetworkValidation.Validate(new ListAllocationsRequest { Page = new PageRequest { PageSize = -5 } }), "network_id", "page.page_size");
    }
}

public class SubnetHostRouteValidationTests
{
    static CreateNetworkRequest With(params HostRoute[] routes)
    {
        var s = new Subnet { Cidr = "10.0.0.0/24", Gateway = "10.0.0.1" };
        s.HostRoutes.AddRange(routes);
        return new CreateNetworkRequest { TenantId = Ids.Tenant, Name = "web", Subnets = { s } };
    }

    [Fact]
    public void Create_WithHostRoutes_KeepsThem()
    {
        var cmd = Expect.Valid(NetworkValidation.Validate(With(new HostRoute { Destination = "192.168.50.0/24", Nexthop = "10.0.0.254" })));
        var r = Assert.Single(cmd.Subnets[0].HostRoutes);
        Assert.Equal("192.168.50.0/24", r.Destination.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.254"), r.Nexthop);
    }

    [Theory]
    [InlineData("192.168.50.0/24", "10.1.0.254", "subnets[0].host_routes[0].nexthop", "outside the subnet")]
    [InlineData("fd00::/64", "10.0.0.254", "subnets[0].host_routes[0].destination", "IPv6")]
    [InlineData("192.168.50.1/24", "10.0.0.254", "subnets[0].host_routes[0].destination", "host bits")]
    [InlineData("192.168.50.0/24", "nope", "subnets[0].host_routes[0].nexthop", "")]
    public void Create_WithABadHostRoute_NamesTheField(string dest, string via, string field, string fragment) =>
        Expect.Violation(NetworkValidation.Validate(With(new HostRoute { Destination = dest, Nexthop = via })), field, fragment);

    [Fact]
    public void Create_WithTheSameDestinationTwice_IsRefused() =>
        Expect.Violation(NetworkValidation.Validate(With(
            new HostRoute { Destination = "192.168.50.0/24", Nexthop = "10.0.0.254" },
            new HostRoute { Destination = "192.168.50.0/24", Nexthop = "10.0.0.253" })), "subnets[0].host_routes[1].destination", "twice");
}
