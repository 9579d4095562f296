using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Infra.Controller.Api.Tests.Support;
using Infra.Store;
using Infra.V1;
using Microsoft.Extensions.Time.Testing;
using static Infra.Controller.Api.Tests.Support.Fixtures;

namespace Infra.Controller.Api.Tests.Credentials;

/// <summary>Issued credentials through the real API and the daemon's authentication (bearer-token mode).</summary>
public sealed class CredentialsTests
{
    const string Bootstrap = "bootstrap-token-0123456789";

    static Task<ApiServer> StartAsync(TimeProvider? time = null) =>
        ApiServer.StartAsync(new HashSet<string> { Bootstrap }, Bootstrap, time: time);

    static async Task<CreateCredentialResponse> TenantCredentialAsync(ApiServer s, string tenantId, CredentialRole role = CredentialRole.Member, Timestamp? expires = null) =>
        await s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        {
            Label = "ci of " + tenantId, Kind = CredentialKind.Tenant, TenantId = tenantId, Role = role, ExpiresAt = expires,
        });

    [Fact]
    public async Task TenantMemberCredential_SeesOnlyItsTenant_AndAnotherTenantsObjectIsNotFound()
    {
        await using var s = await StartAsync();
        var a = await TenantAsync(s, "a");
        var b = await TenantAsync(s, "b");
        var foreign = await NetworkAsync(s, b.Meta.Id, "b-net", "10.2.0.0/24");
        var issued = await TenantCredentialAsync(s, a.Meta.Id);
        Assert.StartsWith("infra_" + issued.Credential.Id + "_", issued.Token);

        var member = s.WithToken(issued.Token);
        var tenants = await member.Tenants.ListTenantsAsync(new ListTenantsRequest());
        Assert.Equal([a.Meta.Id], tenants.Tenants.Select(t => t.Meta.Id));
        var own = await member.Networks.CreateNetworkAsync(new CreateNetworkRequest { Name = "a-net", Subnets = { new Subnet { Cidr = "10.1.0.0/24" } } });
        Assert.Equal(a.Meta.Id, own.TenantId);
        var e = await Assert.ThrowsAsync<RpcException>(() => member.Networks.GetNetworkAsync(new GetNetworkRequest { Id = foreign.Meta.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        // Credentials are the operators': a tenant cannot mint itself an admin.
        var mint = await Assert.ThrowsAsync<RpcException>(() => member.Credentials.CreateCredentialAsync(new CreateCredentialRequest { Label = "x", Kind = CredentialKind.Admin }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, mint.StatusCode);
    }

    [Fact]
    public async Task ReaderCredential_ReadsButCannotMutate()
    {
        await using var s = await StartAsync();
        var a = await TenantAsync(s, "a");
        var reader = s.WithToken((await TenantCredentialAsync(s, a.Meta.Id, CredentialRole.Reader)).Token);
        Assert.Single((await reader.Tenants.ListTenantsAsync(new ListTenantsRequest())).Tenants);
        var e = await Assert.ThrowsAsync<RpcException>(() => reader.Networks.CreateNetworkAsync(new CreateNetworkRequest { Name = "n", Subnets = { new Subnet { Cidr = "10.1.0.0/24" } } }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
    }

    [Fact]
    public async Task AdminCredential_ActsAsAdmin_AndAuditNamesIt()
    {
        await using var s = await StartAsync();
        var issued = await s.Credentials.CreateCredentialAsync(new CreateCredentialRequest { Label = "alice", Kind = CredentialKind.Admin });
        var admin = s.WithToken(issued.Token);
        await admin.Tenants.CreateTenantAsync(new CreateTenantRequest { Name = "by-alice" });
        var records = await s.Audit.ListAuditRecordsAsync(new ListAuditRecordsRequest { Method = "CreateTenant" });
        Assert.Equal(issued.Credential.Id, records.Records.Single().Credential);
        var created = await s.Audit.ListAuditRecordsAsync(new ListAuditRecordsRequest { Method = "Credentials/" });
        Assert.Contains(created.Records, r => r.Method.EndsWith("/CreateCredential") && r.Outcome == "OK");
    }

    [Fact]
    public async Task RevokedCredential_NextCallIsUnauthenticated_SayingWhen()
    {
        await using var s = await StartAsync();
        var a = await TenantAsync(s, "a");
        var issued = await TenantCredentialAsync(s, a.Meta.Id);
        var member = s.WithToken(issued.Token);
        await member.Tenants.ListTenantsAsync(new ListTenantsRequest());
        var revoked = await s.Credentials.RevokeCredentialAsync(new RevokeCredentialRequest { Id = issued.Credential.Id });
        Assert.NotNull(revoked.RevokedAt);
        var e = await Assert.ThrowsAsync<RpcException>(() => member.Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains($"credential {issued.Credential.Id} was revoked at", e.Status.Detail);
        var audit = await s.Audit.ListAuditRecordsAsync(new ListAuditRecordsRequest { Method = "RevokeCredential" });
        Assert.Contains(issued.Credential.Id, audit.Records.Single().ObjectIds);
    }

    [Fact]
    public async Task TenantCredential_DiesWithItsTenant_SayingSo()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var s = await StartAsync(time);
        var a = await TenantAsync(s, "a");
        var issued = await TenantCredentialAsync(s, a.Meta.Id);
        var member = s.WithToken(issued.Token);
        await member.Tenants.ListTenantsAsync(new ListTenantsRequest());
        await s.Tenants.DeleteTenantAsync(new DeleteTenantRequest { Id = a.Meta.Id });
        // Another replica's cache may hold the lookup for CacheFor; past it the credential is refused everywhere.
        time.Advance(Infra.Controller.Api.Credentials.CredentialVerifier.CacheFor + TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<RpcException>(() => member.Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains($"belonged to tenant {a.Meta.Id}, which was deleted", e.Status.Detail);
    }

    [Fact]
    public async Task ExpiredCredential_IsUnauthenticated()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var s = await StartAsync(time);
        var a = await TenantAsync(s, "a");
        var issued = await TenantCredentialAsync(s, a.Meta.Id, expires: Timestamp.FromDateTimeOffset(time.GetUtcNow().AddHours(1)));
        var member = s.WithToken(issued.Token);
        await member.Tenants.ListTenantsAsync(new ListTenantsRequest());
        time.Advance(TimeSpan.FromHours(2));
        var e = await Assert.ThrowsAsync<RpcException>(() => member.Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains($"credential {issued.Credential.Id} expired at", e.Status.Detail);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("wrong-secret")]
    public async Task UnknownCredentialOrWrongSecret_IsUnauthenticated(string which)
    {
        await using var s = await StartAsync();
        var issued = await s.Credentials.CreateCredentialAsync(new CreateCredentialRequest { Label = "x", Kind = CredentialKind.Admin });
        var token = which == "unknown" ? "infra_cred-aaaaaaaaaaaaaaaa_" + issued.Token.Split('_', 3)[2] : issued.Token[..^2] + "AA";
        var e = await Assert.ThrowsAsync<RpcException>(() => s.WithToken(token).Tenants.ListTenantsAsync(new ListTenantsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Contains("unknown or its secret does not match", e.Status.Detail);
    }

    [Fact]
    public async Task Secret_IsNotInTheStore_AndListNeverReturnsIt()
    {
        await using var s = await StartAsync();
        var a = await TenantAsync(s, "a");
        var issued = await TenantCredentialAsync(s, a.Meta.Id);
        var secret = issued.Token.Split('_', 3)[2];
        var all = await s.Store.RangeAsync(new RangeRequest([0], [0xff]));
        Assert.NotEmpty(all.Kvs);
        foreach (var kv in all.Kvs)
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(kv.Value));
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(kv.Value));
        }
        Assert.DoesNotContain(all.Kvs, kv => Encoding.UTF8.GetString(kv.Key).StartsWith("/infra/v1/") && Encoding.UTF8.GetString(kv.Key).Contains(issued.Credential.Id));
        var list = await s.Credentials.ListCredentialsAsync(new ListCredentialsRequest());
        var listed = list.Credentials.Single();
        Assert.Equal(issued.Credential, listed);
        Assert.DoesNotContain(secret, list.ToString());
    }

    [Fact]
    public async Task Create_WithBadFields_NamesEveryField()
    {
        await using var s = await StartAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        {
            Label = "", Kind = CredentialKind.Tenant, TenantId = "ten-missing", Role = (CredentialRole)7,
            ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
        }).ResponseAsync);
        Assert.Equal(["label", "role", "expires_at"], BadFields(e));
        var missing = await Assert.ThrowsAsync<RpcException>(() => s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        {
            Label = "x", Kind = CredentialKind.Tenant, TenantId = "ten-missing",
        }).ResponseAsync);
        Assert.Equal(["tenant_id"], BadFields(missing));
        var label = await Assert.ThrowsAsync<RpcException>(() => s.Credentials.CreateCredentialAsync(new CreateCredentialRequest
        {
            Label = new string('x', 201), Kind = CredentialKind.Admin,
        }).ResponseAsync);
        Assert.Equal(["label"], BadFields(label));
    }
}
