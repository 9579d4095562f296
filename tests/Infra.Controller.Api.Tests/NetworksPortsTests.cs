using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class NetworksPortsTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync();
    public async Task DisposeAsync() => await s.DisposeAsync();

    [Fact]
    public async Task CreateNetwork_InvalidFields_AllReportedAtOnce()
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Networks.CreateNetworkAsync(new CreateNetworkRequest
        {
            TenantId = "nope", Name = "", Mtu = 10, Subnets = { new Subnet { Cidr = "10.0.0.0/33" } },
        }).ResponseAsync);
        var fields = BadFields(e);
        Assert.Contains("tenant_id", fields);
        Assert.Contains("name", fields);
        Assert.Contains("mtu", fields);
        Assert.Contains(fields, f => f.StartsWith("subnets[0]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverlappingRanges_AllowedAcrossTenants()
    {
        var a = await TenantAsync(s, "a");
        var b = await TenantAsync(s, "b");
        var na = await NetworkAsync(s, a.Meta.Id, "net", "10.0.0.0/24");
        var nb = await NetworkAsync(s, b.Meta.Id, "net", "10.0.0.0/24");
        var pa = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = na.Meta.Id });
        var pb = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = nb.Meta.Id });
        Assert.Equal(pa.FixedIps[0].Address, pb.FixedIps[0].Address);
        Assert.Equal(1450u, na.Mtu);
    }

    [Fact]
    public async Task CreatePort_OnSubnetWithAllocationRange_GetsAnAddressFromTheRange()
    {
        var t = await TenantAsync(s, "r");
        var n = await s.Networks.CreateNetworkAsync(new CreateNetworkRequest
        {
            TenantId = t.Meta.Id, Name = "ranged",
            Subnets = { new Subnet { Cidr = "10.20.0.0/24", Gateway = "10.20.0.1", AllocationRanges = { new AddressRange { First = "10.20.0.50", Last = "10.20.0.51" } } } },
        });
        var p1 = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id });
        var p2 = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id });
        Assert.Equal(["10.20.0.50", "10.20.0.51"], new[] { p1.FixedIps[0].Address, p2.FixedIps[0].Address }.Order());
    }

    [Fact]
    public async Task CreatePort_GetsMacAndOneAddressPerSubnet_DeleteReleasesThem()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "dual", "192.168.5.0/29", "fd00:5::/64");
        var p = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, Name = "web" });
        Assert.Matches("^02:", p.MacAddress);
        Assert.Equal(2, p.FixedIps.Count);
        Assert.Equal([t.DefaultPolicyId], p.PolicyIds);
        var allocs = await s.Networks.ListAllocationsAsync(new ListAllocationsRequest { NetworkId = n.Meta.Id });
        Assert.Equal(2, allocs.Allocations.Count);
        Assert.All(allocs.Allocations, a => Assert.Equal(p.Meta.Id, a.PortId));
        await s.Ports.DeletePortAsync(new DeletePortRequest { Id = p.Meta.Id });
        Assert.Empty((await s.Networks.ListAllocationsAsync(new ListAllocationsRequest { NetworkId = n.Meta.Id })).Allocations);
        // Network with no ports can go now.
        await s.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = n.Meta.Id });
    }

    [Fact]
    public async Task CreatePort_OnAnIpv6Slash64_GetsTheSlaacAddressOfItsMac()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "v6", "fd00:7::/64");
        var p = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, MacAddress = "52:54:00:12:34:56" });
        Assert.Equal("fd00:7::5054:ff:fe12:3456", Assert.Single(p.FixedIps).Address);
    }

    [Fact]
    public async Task DeleteNetwork_WithPorts_FailedPrecondition()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.1.0.0/24");
        await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id });
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = n.Meta.Id }).ResponseAsync);
        Assert.Contains("port", e.Status.Detail);
    }

    [Fact]
    public async Task ConcurrentPortCreation_NeverDuplicatesAnAddress()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.2.0.0/26");
        var ports = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id }).ResponseAsync));
        var addresses = ports.Select(p => p.FixedIps.Single().Address).ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
        Assert.Equal(ports.Length, ports.Select(p => p.MacAddress).Distinct().Count());
    }

    [Fact]
    public async Task CreatePort_SameRequestIdTwice_OnePortOneAddress()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.3.0.0/24");
        var a = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, RequestId = "r-1" });
        var b = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, RequestId = "r-1" });
        Assert.Equal(a.Meta.Id, b.Meta.Id);
        Assert.Single((await s.Ports.ListPortsAsync(new ListPortsRequest { NetworkId = n.Meta.Id })).Ports);
        Assert.Single((await s.Networks.ListAllocationsAsync(new ListAllocationsRequest { NetworkId = n.Meta.Id })).Allocations);
    }

    [Fact]
    public async Task CreatePort_FixedAddressTaken_FailedPrecondition_AndInvalidFieldsAtOnce()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.4.0.0/24");
        await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, FixedIps = { new FixedIp { Address = "10.4.0.10" } } });
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Ports.CreatePortAsync(
            new CreatePortRequest { NetworkId = n.Meta.Id, FixedIps = { new FixedIp { Address = "10.4.0.10" } } }).ResponseAsync);
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Ports.CreatePortAsync(
            new CreatePortRequest { NetworkId = "bad", MacAddress = "zz", Name = "UPPER" }).ResponseAsync);
        Assert.True(BadFields(e).Count >= 3, string.Join(",", BadFields(e)));
    }

    [Fact]
    public async Task UpdateNetwork_AddsSubnet_StaleRevisionAborted_OverlapInvalid()
    {
        var t = await TenantAsync(s, "t");
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.5.0.0/24");
        var u = await s.Networks.UpdateNetworkAsync(new UpdateNetworkRequest { Id = n.Meta.Id, AddSubnets = { new Subnet { Cidr = "fd00:9::/64" } }, ExpectedRevision = n.Meta.Revision });
        Assert.Equal(2, u.Subnets.Count);
        await FailsAsync(StatusCode.Aborted, () => s.Networks.UpdateNetworkAsync(new UpdateNetworkRequest { Id = n.Meta.Id, SetLabels = true, ExpectedRevision = n.Meta.Revision }).ResponseAsync);
        await FailsAsync(StatusCode.InvalidArgument, () => s.Networks.UpdateNetworkAsync(new UpdateNetworkRequest { Id = n.Meta.Id, AddSubnets = { new Subnet { Cidr = "10.5.0.128/25" } } }).ResponseAsync);
    }
}
