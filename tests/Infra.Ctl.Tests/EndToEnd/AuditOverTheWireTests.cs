using Infra.Ctl.Commands;
using Infra.Ctl.Errors;
using Infra.Ctl.Tests.Support;
using Infra.V1;

namespace Infra.Ctl.Tests.EndToEnd;

/// <summary>infractl audit list against the real northbound services (the daemon's GrpcServer + AddInfraApi over SQLite).</summary>
public sealed class AuditOverTheWireTests : IAsyncLifetime
{
    readonly RealApi _api = new();

    public Task InitializeAsync() => _api.InitializeAsync();
    public Task DisposeAsync() => _api.DisposeAsync();

    Task<(int Code, string Out, string Err)> Run(string line) => _api.RunAsync(line);

    [Fact]
    public async Task AuditList_ShowsMutatingCallsWithOutcomes_AndFilters()
    {
        Assert.Equal(0, (await Run("tenant create acme")).Code);
        Assert.Equal(ExitCodes.AlreadyExists, (await Run("tenant create acme")).Code);
        Assert.Equal(0, (await Run("tenant list")).Code);

        var all = await Run("audit list");
        Assert.Equal((0, ""), (all.Code, all.Err));
        var lines = all.Out.TrimEnd().Split('\n');
        Assert.StartsWith("TIME", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  admin      Tenants/CreateTenant  ten-\w+,pol-\w+  OK\s+-$", lines[1].TrimEnd());
        Assert.Matches(@"  Tenants/CreateTenant  -\s+ALREADY_EXISTS  .*acme", lines[2]);

        var failed = await Run("audit list --outcome error --since 1h -o json");
        Assert.Equal(0, failed.Code);
        var response = Google.Protobuf.JsonParser.Default.Parse<ListAuditRecordsResponse>(failed.Out.Trim());
        Assert.Equal(("/infra.v1.Tenants/CreateTenant", "ALREADY_EXISTS", "admin"), response.Records.Select(r => (r.Method, r.Outcome, r.Principal)).Single());

        const string header = "TIME  PRINCIPAL  METHOD  OBJECTS  OUTCOME  DETAIL";
        Assert.Equal(header, (await Run("audit list --until 1h")).Out.TrimEnd());
        Assert.Equal(header, (await Run("audit list --method DeleteTenant")).Out.TrimEnd());
        var page = (await Run("audit list --principal admin --page-size 1")).Out.TrimEnd().Split('\n');
        Assert.Equal(3, page.Length);
        Assert.StartsWith("more results: add --page-token ", page[2]);
    }

    [Fact]
    public async Task AuditList_BadOutcome_ExitsThreeNamingTheField()
    {
        var r = await Run("audit list --outcome maybe");
        Assert.Equal(ExitCodes.InvalidArgument, r.Code);
        Assert.Contains("outcome: 'MAYBE' is not an outcome", r.Err);
    }

    [Theory]
    [InlineData("1h", "2026-01-10T11:00:00Z")]
    [InlineData("90s", "2026-01-10T11:58:30Z")]
    [InlineData("7d", "2026-01-03T12:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("2026-01-01T02:00:00+02:00", "2026-01-01T00:00:00Z")]
    public void Time_IsADurationAgoOrAnRfc3339Time(string text, string expected)
    {
        var now = new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), AuditCommands.Time(text, "--since", now));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("-5d")]
    public void Time_Rejects(string text) =>
        Assert.Throws<UsageException>(() => AuditCommands.Time(text, "--since", DateTimeOffset.UnixEpoch));
}
