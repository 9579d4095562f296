using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.V1;
using Microsoft.Extensions.Time.Testing;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests.Audit;

/// <summary>The audit trail through the real API server: what mutating calls record, what reads do not, the filters, retention.</summary>
public sealed class AuditTrailTests
{
    static async Task<List<AuditRecord>> ListAsync(ApiServer s, ListAuditRecordsRequest? request = null) =>
        [.. (await s.Audit.ListAuditRecordsAsync(request ?? new ListAuditRecordsRequest())).Records];

    [Fact]
    public async Task CreateAndDelete_AreRecordedWithPrincipalMethodObjectIdAndOk()
    {
        await using var s = await ApiServer.StartAsync();
        var t = await TenantAsync(s, "acme");
        await s.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = t.Meta.Id });

        var records = await ListAsync(s);
        Assert.Equal(["/infra.v1.Tenants/CreateTenant", "/infra.v1.Tenants/DeleteTenant"], records.Select(r => r.Method));
        var (create, delete) = (records[0], records[1]);
        Assert.Equal(("admin", "insecure-no-auth", "OK", ""), (create.Principal, create.Credential, create.Outcome, create.Detail));
        Assert.Contains(t.Meta.Id, create.ObjectIds);
        Assert.Contains(t.DefaultPolicyId, create.ObjectIds);
        Assert.Equal(("admin", "OK"), (delete.Principal, delete.Outcome));
        Assert.Equal([t.Meta.Id], delete.ObjectIds);
        Assert.StartsWith("ipv4:127.0.0.1:", create.Peer);
        Assert.True(create.Time.ToDateTimeOffset() <= delete.Time.ToDateTimeOffset());
        Assert.True(string.CompareOrdinal(create.Id, delete.Id) < 0, "ids sort in time order");
    }

    [Fact]
    public async Task BootstrapToken_IsRecordedAsItsCredential()
    {
        const string token = "audit-token-0123456789";
        await using var s = await ApiServer.StartAsync(new HashSet<string> { token }, token);
        await TenantAsync(s, "acme");
        Assert.Equal(("admin", "bootstrap"), (await ListAsync(s)).Select(r => (r.Principal, r.Credential)).Single());
    }

    [Fact]
    public async Task FailedCreate_RecordsItsStatusCodeAndMessage()
    {
        await using var s = await ApiServer.StartAsync();
        await TenantAsync(s, "acme");
        await FailsAsync(StatusCode.AlreadyExists, () => s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "acme" }).ResponseAsync);
        await FailsAsync(StatusCode.InvalidArgument, () => s.Networks.CreateNetworkAsync(new CreateNetworkRequest { TenantId = "bogus", Name = "n" }).ResponseAsync);

        var failed = await ListAsync(s, new ListAuditRecordsRequest { Outcome = "ERROR" });
        Assert.Equal(["ALREADY_EXISTS", "INVALID_ARGUMENT"], failed.Select(r => r.Outcome));
        Assert.Contains("acme", failed[0].Detail);
        Assert.Equal("/infra.v1.Networks/CreateNetwork", failed[1].Method);
        Assert.Contains("bogus", failed[1].ObjectIds);
        Assert.NotEmpty(failed[1].Detail);
    }

    [Fact]
    public async Task Reads_AreNotRecorded()
    {
        await using var s = await ApiServer.StartAsync();
        var t = await TenantAsync(s, "acme");
        await s.Tenants.GetTenantAsync(new GetTenantRequest { Id = t.Meta.Id });
        await s.Tenants.ListTenantsAsync(new ListTenantsRequest());
        await s.Hosts.ListHostsAsync(new ListHostsRequest());
        await FailsAsync(StatusCode.NotFound, () => s.Networks.GetNetworkAsync(new GetNetworkRequest { Id = "net-aaaaaaaaaaaaaaaa" }).ResponseAsync);
        await ListAsync(s);

        Assert.Equal(["/infra.v1.Tenants/CreateTenant"], (await ListAsync(s)).Select(r => r.Method));
    }

    [Fact]
    public async Task Filters_SelectByPrincipalMethodObjectOutcomeAndTime_AndPagesResume()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await using var s = await ApiServer.StartAsync(time: time);
        var a = await TenantAsync(s, "a");
        time.Advance(TimeSpan.FromHours(1));
        var b = await TenantAsync(s, "b");
        var net = await NetworkAsync(s, b.Meta.Id, "front", "10.0.0.0/24");
        time.Advance(TimeSpan.FromHours(1));
        await FailsAsync(StatusCode.AlreadyExists, () => s.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "a" }).ResponseAsync);

        Assert.Equal(4, (await ListAsync(s, new ListAuditRecordsRequest { Principal = "admin" })).Count);
        Assert.Empty(await ListAsync(s, new ListAuditRecordsRequest { Principal = "tenant:" + a.Meta.Id }));
        Assert.Contains(net.Meta.Id, (await ListAsync(s, new ListAuditRecordsRequest { Method = "createnetwork" })).Single().ObjectIds);
        Assert.Equal(["/infra.v1.Tenants/CreateTenant", "/infra.v1.Networks/CreateNetwork"],
            (await ListAsync(s, new ListAuditRecordsRequest { ObjectId = b.Meta.Id })).Select(r => r.Method));
        Assert.Equal(3, (await ListAsync(s, new ListAuditRecordsRequest { Outcome = "ok" })).Count);
        Assert.Single(await ListAsync(s, new ListAuditRecordsRequest { Outcome = "ALREADY_EXISTS" }));

        var start = new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
        var window = await ListAsync(s, new ListAuditRecordsRequest { Since = Timestamp.FromDateTimeOffset(start.AddHours(1)), Until = Timestamp.FromDateTimeOffset(start.AddHours(2)) });
        Assert.Equal(["/infra.v1.Tenants/CreateTenant", "/infra.v1.Networks/CreateNetwork"], window.Select(r => r.Method));
        Assert.Single(await ListAsync(s, new ListAuditRecordsRequest { Until = Timestamp.FromDateTimeOffset(start.AddHours(1)) }));

        var seen = new List<string>();
        var page = new PageRequest { PageSize = 3 };
        while (true)
        {
            var r = await s.Audit.ListAuditRecordsAsync(new ListAuditRecordsRequest { Page = page });
            seen.AddRange(r.Records.Select(x => x.Id));
            if (r.Page.NextPageToken.Length == 0) break;
            page = new PageRequest { PageSize = 3, PageToken = r.Page.NextPageToken };
        }
        Assert.Equal((await ListAsync(s)).Select(r => r.Id), seen);
        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public async Task BadFilters_AreInvalidArgumentNamingTheField()
    {
        await using var s = await ApiServer.StartAsync();
        var e = await FailsAsync(StatusCode.InvalidArgument, () => s.Audit.ListAuditRecordsAsync(new ListAuditRecordsRequest
        {
            Outcome = "MAYBE",
            Since = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(2)),
            Until = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(1)),
        }).ResponseAsync);
        Assert.Equal(["until", "outcome"], BadFields(e));
    }

    [Fact]
    public async Task Retention_TheHourlyJobDeletesRecordsOlderThanTheRetention()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await using var s = await ApiServer.StartAsync(time: time, auditRetention: TimeSpan.FromDays(30));
        await TenantAsync(s, "old");
        time.Advance(TimeSpan.FromDays(31));
        var fresh = await TenantAsync(s, "fresh");

        // The job sleeps an hour of the fake clock between passes: advance it until a pass has run.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<AuditRecord> left;
        while ((left = await ListAsync(s)).Count > 1 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(50);
        }
        Assert.Equal([fresh.Meta.Id], left.Select(r => r.ObjectIds[0]));
    }
}
