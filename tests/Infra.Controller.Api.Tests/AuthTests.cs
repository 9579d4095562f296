using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;

namespace Infra.Controller.Api.Tests;

public sealed class AuthTests
{
    const string Token = "s3cret-token-0123456789";

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0123456789")]
    public async Task Call_WithMissingOrWrongToken_Unauthenticated(string? clientToken)
    {
        await using var s = await ApiServer.StartAsync(new HashSet<string> { Token }, clientToken);
        var e = await Assert.ThrowsAsync<RpcException>(() => s.Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains("token", e.Status.Detail);
    }

    [Fact]
    public async Task Call_WithConfiguredToken_Succeeds()
    {
        await using var s = await ApiServer.StartAsync(new HashSet<string> { Token }, Token);
        var t = await s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "ok" });
        Assert.StartsWith("ten-", t.Meta.Id);
    }
}
