using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class TenantsTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync();
    public async Task DisposeAsync() => await s.DisposeAsync();

    [Fact]
    public async Task CreateTenant_GetsTunnelKeyAndDefaultPolicyAllowingItsOwnPorts()
    {
        var t = await s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "acme", Labels = { ["team"] = "a" } });
        Assert.StartsWith("ten-", t.Meta.Id);
        Assert.NotEqual(0u, t.TunnelKey);
        Assert.True(t.Meta.Revision > 0);
        var p = await s.Policies.GetPolicyAsync(new GetPolicyRequest { Id = t.DefaultPolicyId });
        Assert.Equal(t.Meta.Id, p.TenantId);
        Assert.Contains(p.Rules, r => r.Direction == Direction.Ingress && r.RemotePolicyId == p.Meta.Id);
        Assert.Contains(p.Rules, r => r.Direction == Direction.Egress && r.RemoteCase == Rule.RemoteOneofCase.None);
        var got = await s.Tenants.GetTenantAsync(new GetTenantRequest { Id = t.Meta.Id });
        Assert.Equal("a", got.Meta.Labels["team"]);
    }

    [Fact]
    public async Task TunnelKeys_AreUniqueAcrossTenants()
    {
        var keys = new HashSet<uint>();
        for (var i = 0; i < 20; i++) Assert.True(keys.Add((await TenantAsync(s, $"t{i}")).TunnelKey));
    }

    [Fact]
    public async Task CreateTenant_SameRequestIdTwice_CreatesOneTenant()
    {
        var a = await s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "idem", RequestId = "req-1" });
        var b = await s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "idem", RequestId = "req-1" });
        Assert.Equal(a.Meta.Id, b.Meta.Id);
        var list = await s.Tenants.ListTenantsAsync(new ListTenantsRequest());
        Assert.Single(list.Tenants);
    }

    [Fact]
    public async Task CreateTenant_InvalidFields_AllReportedAtOnceInBadRequest()
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Tenants.CreateTenantAsync(
            new CreateTenantRequest { Name = "Bad Name!", Labels = { [new string('k', 80)] = "v" } }).ResponseAsync);
        var fields = BadFields(e);
        Assert.Contains("name", fields);
        Assert.True(fields.Count >= 2, string.Join(",", fields));
    }

    [Fact]
    public async Task CreateTenant_DuplicateName_AlreadyExists()
    {
        await TenantAsync(s, "dup");
        var e = await FailsAsync(StatusCode.AlreadyExists, () => TenantAsync(s, "dup"));
        Assert.Contains("dup", e.Status.Detail);
    }

    [Fact]
    public async Task GetTenant_Unknown_NotFound() =>
        await FailsAsync(StatusCode.NotFound, () => s.Tenants.GetTenantAsync(new GetTenantRequest { Id = "ten-aaaaaaaaaaaaaaaa" }).ResponseAsync);

    [Fact]
    public async Task UpdateTenant_StaleExpectedRevision_Aborted()
    {
        var t = await TenantAsync(s, "rev");
        var updated = await s.Tenants.UpdateTenantAsync(new UpdateTenantRequest { Id = t.Meta.Id, Labels = { ["a"] = "1" }, ExpectedRevision = t.Meta.Revision });
        Assert.True(updated.Meta.Revision > t.Meta.Revision);
        await FailsAsync(StatusCode.Aborted, () => s.Tenants.UpdateTenantAsync(
            new UpdateTenantRequest { Id = t.Meta.Id, Labels = { ["a"] = "2" }, ExpectedRevision = t.Meta.Revision }).ResponseAsync);
    }

    [Fact]
    public async Task DeleteTenant_WhileOwningANetwork_FailedPrecondition_ThenSucceedsWhenEmpty()
    {
        var t = await TenantAsync(s, "owner");
        var n = await NetworkAsync(s, t.Meta.Id, "net", "10.0.0.0/24");
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Meta.Id }).ResponseAsync);
        await s.Networks.DeleteNetworkAsync(new DeleteNetworkRequest { Id = n.Meta.Id });
        var r = await s.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Meta.Id });
        Assert.True(r.Revision > 0);
        await FailsAsync(StatusCode.NotFound, () => s.Policies.GetPolicyAsync(new GetPolicyRequest { Id = t.DefaultPolicyId }).ResponseAsync);
        // The name is free again.
        await TenantAsync(s, "owner");
    }

    [Fact]
    public async Task ListTenants_PagesInStableOrderWithOpaqueTokens()
    {
        for (var i = 0; i < 7; i++) await TenantAsync(s, $"p{i}");
        var seen = new List<string>();
        var token = "";
        for (var round = 0; round < 10; round++)
        {
            var page = await s.Tenants.ListTenantsAsync(new ListTenantsRequest { Page = new PageRequest { PageSize = 3, PageToken = token } });
            seen.AddRange(page.Tenants.Select(t => t.Meta.Id));
            token = page.Page.NextPageToken;
            if (token.Length == 0) break;
        }
        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        await FailsAsync(StatusCode.InvalidArgument, () => s.Tenants.ListTenantsAsync(new ListTenantsRequest { Page = new PageRequest { PageToken = "!!" } }).ResponseAsync);
    }
}
