using Infra.Controller.Api.Tests.Support;
using Grpc.Core;
using Infra.V1;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests;

public sealed class PoliciesTests : IAsyncLifetime
{
    ApiServer s = null!;
    public async Task InitializeAsync() => s = await ApiServer.StartAsync();
    public async Task DisposeAsync() => await s.DisposeAsync();

    [Fact]
    public async Task CreatePolicy_AssignsRuleIds_UpdateKeepsThem_InUseCannotBeDeleted()
    {
        var t = await TenantAsync(s, "t");
        var web = await s.Policies.CreatePolicyAsync(new CreatePolicyRequest
        {
            TenantId = t.Meta.Id, Name = "web",
            Rules = { new Rule { Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 443, PortMax = 443, RemoteCidr = "0.0.0.0/0" } },
        });
        Assert.StartsWith("rul-", web.Rules[0].Id);
        var db = await s.Policies.CreatePolicyAsync(new CreatePolicyRequest
        {
            TenantId = t.Meta.Id, Name = "db",
            Rules = { new Rule { Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 5432, PortMax = 5432, RemotePolicyId = web.Meta.Id } },
        });
        var e = await FailsAsync(StatusCode.FailedPrecondition, () => s.Policies.DeletePolicyAsync(new DeletePolicyRequest { Id = web.Meta.Id }).ResponseAsync);
        Assert.Contains("rule", e.Status.Detail);
        var keep = db.Rules[0].Clone();
        var updated = await s.Policies.UpdatePolicyAsync(new UpdatePolicyRequest { Id = db.Meta.Id, Rules = { new Rule { Id = keep.Id, Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 5432, PortMax = 5432, RemoteCidr = "10.0.0.0/8" } } });
        Assert.Equal(keep.Id, updated.Rules[0].Id);
        await s.Policies.DeletePolicyAsync(new DeletePolicyRequest { Id = web.Meta.Id });
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Policies.DeletePolicyAsync(new DeletePolicyRequest { Id = t.DefaultPolicyId }).ResponseAsync);
    }

    [Fact]
    public async Task CreatePolicy_InvalidRules_AllReportedAtOnce()
    {
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Policies.CreatePolicyAsync(new CreatePolicyRequest
        {
            TenantId = "ten-aaaaaaaaaaaaaaaa", Name = "x",
            Rules =
            {
                new Rule { Direction = Direction.Unspecified },
                new Rule { Direction = Direction.Ingress, Protocol = Protocol.Tcp, PortMin = 10, PortMax = 5 },
            },
        }).ResponseAsync);
        var fields = BadFields(e);
        Assert.Contains(fields, f => f.StartsWith("rules[0]", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.StartsWith("rules[1]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreatePolicy_Idempotent_And_PortUsingPolicyBlocksDelete()
    {
        var t = await TenantAsync(s, "t");
        var a = await s.Policies.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t.Meta.Id, Name = "p", RequestId = "same" });
        var b = await s.Policies.CreatePolicyAsync(new CreatePolicyRequest { TenantId = t.Meta.Id, Name = "p", RequestId = "same" });
        Assert.Equal(a.Meta.Id, b.Meta.Id);
        var n = await NetworkAsync(s, t.Meta.Id, "n", "10.0.0.0/24");
        var port = await s.Ports.CreatePortAsync(new CreatePortRequest { NetworkId = n.Meta.Id, PolicyIds = { a.Meta.Id } });
        await FailsAsync(StatusCode.FailedPrecondition, () => s.Policies.DeletePolicyAsync(new DeletePolicyRequest { Id = a.Meta.Id }).ResponseAsync);
        await s.Ports.UpdatePortAsync(new UpdatePortRequest { Id = port.Meta.Id, SetPolicies = true, PolicyIds = { t.DefaultPolicyId } });
        await s.Policies.DeletePolicyAsync(new DeletePolicyRequest { Id = a.Meta.Id });
    }
}
