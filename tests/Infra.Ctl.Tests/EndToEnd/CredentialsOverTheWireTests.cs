using System.Text.RegularExpressions;
using Infra.Ctl.Commands;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;
using Infra.V1;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>infractl credential create|list|revoke against the real services in bearer-token mode (the
/// daemon's GrpcServer, BearerTokenAuth and AddInfraApi over SQLite): an operator issues a tenant credential
/// and the tenant uses it with --token.</summary>
public sealed class CredentialsOverTheWireTests : IAsyncLifetime
{
    const string Bootstrap = "bootstrap-token-0123456789";
    readonly RealApi _api = new(Bootstrap);

    public Task InitializeAsync() => _api.InitializeAsync();
    public Task DisposeAsync() => _api.DisposeAsync();

    Task<(int Code, string Out, string Err)> Run(string line, string token = Bootstrap) => _api.RunAsync(line, token);

    static string TokenOf(string output) => Regex.Match(output, @"^token: (infra_\S+)$", RegexOptions.Multiline).Groups[1].Value;

    async Task<string> TenantAsync(string name) =>
        Google.Protobuf.JsonParser.Default.Parse<Tenant>((await Run($"tenant create {name} -o json")).Out.Trim()).Meta.Id;

    [Fact]
    public async Task OperatorIssuesTenantCredential_TenantUsesIt_RevokeEndsIt()
    {
        var acme = await TenantAsync("acme");
        var other = await TenantAsync("other");
        var created = await Run($"credential create --label acme-ci --tenant {acme} --role member --expires 30d");
        Assert.Equal((0, ""), (created.Code, created.Err));
        Assert.Contains("it is not shown again", created.Out);
        var token = TokenOf(created.Out);
        Assert.StartsWith("infra_cred-", token);
        var id = token.Split('_')[1];

        var seen = await Run("tenant list", token);
        Assert.Equal(0, seen.Code);
        Assert.Contains(acme, seen.Out);
        Assert.DoesNotContain(other, seen.Out);
        Assert.Equal(ExitCodes.NotFound, (await Run($"tenant get {other}", token)).Code);

        var list = await Run("credential list");
        Assert.Equal(0, list.Code);
        Assert.Matches($@"{id}\s+acme-ci\s+tenant:{acme} \(member\)\s+\S+\s+\S+\s+active", list.Out);
        var json = await Run("credential list -o json");
        Assert.Equal(id, Google.Protobuf.JsonParser.Default.Parse<ListCredentialsResponse>(json.Out.Trim()).Credentials.Single().Id);
        var secret = token.Split('_', 3)[2];
        Assert.DoesNotContain(secret, list.Out + json.Out);

        // Tenants do not manage credentials.
        Assert.Equal(ExitCodes.Unauthorized, (await Run("credential list", token)).Code);

        Assert.Equal(0, (await Run($"credential revoke {id}")).Code);
        var after = await Run("tenant list", token);
        Assert.Equal(ExitCodes.Unauthorized, after.Code);
        Assert.Contains($"credential {id} was revoked at", after.Err);
        Assert.Contains("revoked", (await Run("credential list")).Out);
    }

    [Fact]
    public async Task ReaderCredential_CannotCreate()
    {
        var acme = await TenantAsync("acme");
        var token = TokenOf((await Run($"credential create --label reader --tenant {acme} --role reader")).Out);
        Assert.Equal(0, (await Run("tenant list", token)).Code);
        var denied = await Run($"network create --tenant {acme} --name n1 --subnet 10.0.0.0/24", token);
        Assert.Equal(ExitCodes.Unauthorized, denied.Code);
    }

    [Fact]
    public async Task Create_UnknownTenant_ExitsThreeNamingTheField()
    {
        var r = await Run("credential create --label x --tenant ten-aaaaaaaaaaaaaaaa");
        Assert.Equal(ExitCodes.InvalidArgument, r.Code);
        Assert.Contains("tenant_id", r.Err);
        Assert.Equal(ExitCodes.Usage, (await Run("credential create --label x --role reader")).Code);
    }

    [Theory]
    [InlineData("30d", "2026-02-09T12:00:00Z")]
    [InlineData("12h", "2026-01-11T00:00:00Z")]
    [InlineData("2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void Until_IsADurationFromNowOrAnRfc3339Time(string text, string expected)
    {
        var now = new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CredentialCommands.Until(text, "--expires", now));
    }
}
