using Infra.Controller.Domain.Validation;
using Infra.V1;

namespace Infra.Controller.Domain.Tests.Validation;

/// <summary>The shared field rules (names, labels, request ids, paging, revisions), driven through tenant requests.</summary>
public class CommonFieldTests
{
    static CreateTenantRequest Tenant(string name = "acme", string requestId = "") => new() { Name = name, RequestId = requestId };

    [Theory]
    [InlineData("a")]
    [InlineData("acme-prod-01")]
    [InlineData("0")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123")]
    public void Name_WhenDnsLabel_IsAccepted(string name) =>
        Assert.Equal(name, Expect.Valid(TenantValidation.Validate(Tenant(name))).Name);

    [Theory]
    [InlineData("", "is required")]
    [InlineData("Acme", "only a-z, 0-9 and '-'")]
    [InlineData("acme prod", "only a-z, 0-9 and '-'")]
    [InlineData("acme_prod", "only a-z, 0-9 and '-'")]
    [InlineData("acme.prod", "only a-z, 0-9 and '-'")]
    [InlineData("-acme", "must start and end")]
    [InlineData("acme-", "must start and end")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234", "at most 63")]
    [InlineData("ünï", "only a-z")]
    public void Name_WhenInvalid_IsReported(string name, string fragment) =>
        Expect.Violation(TenantValidation.Validate(Tenant(name)), "name", fragment);

    [Theory]
    [InlineData("")]
    [InlineData("9f1c1c4e-3a7b-4c53-9c3e-1d1f1e1a1b1c")]
    [InlineData("orchestrator:job/42#retry")]
    public void RequestId_WhenEmptyOrPrintable_IsAccepted(string id)
    {
        var cmd = Expect.Valid(TenantValidation.Validate(Tenant(requestId: id)));
        Assert.Equal(id.Length == 0 ? null : id, cmd.RequestId);
    }

    [Theory]
    [InlineData(129, 'x', "at most 128")]
    [InlineData(10, ' ', "printable ASCII")]
    [InlineData(10, '\n', "printable ASCII")]
    [InlineData(10, 'é', "printable ASCII")]
    public void RequestId_WhenTooLongOrUnprintable_IsReported(int length, char c, string fragment) =>
        Expect.Violation(TenantValidation.Validate(Tenant(requestId: new string(c, length))), "request_id", fragment);

    [Fact]
    public void Labels_WhenValid_AreSortedAndImmutable()
    {
        var r = Tenant();
        r.Labels.Add("zone", "a");
        r.Labels.Add("billing.example.com/account", "42");
        r.Labels.Add("empty", "");
        var cmd = Expect.Valid(TenantValidation.Validate(r));
        Assert.Equal(["billing.example.com/account", "empty", "zone"], cmd.Labels.Items.Keys);
    }

    [Theory]
    [InlineData("-x", "v", "starting with a letter or digit")]
    [InlineData("a b", "v", "only letters, digits")]
    [InlineData("k", "line\nbreak", "control characters")]
    public void Labels_WhenKeyOrValueInvalid_ReportsThatLabel(string key, string value, string fragment)
    {
        var r = Tenant();
        r.Labels.Add(key, value);
        Expect.Violation(TenantValidation.Validate(r), $"labels[\"{key}\"]", fragment);
    }

    [Fact]
    public void Labels_WhenKeyTooLong_IsReported()
    {
        var r = Tenant();
        var key = new string('k', 64);
        r.Labels.Add(key, "v");
        Expect.Violation(TenantValidation.Validate(r), $"labels[\"{key[..40]}…\"]", "1-63 characters");
    }

    [Fact]
    public void Labels_WhenValueTooLong_IsReported()
    {
        var r = Tenant();
        r.Labels.Add("k", new string('v', 256));
        Expect.Violation(TenantValidation.Validate(r), "labels[\"k\"]", "at most 255");
    }

    [Fact]
    public void Labels_WhenMoreThanSixtyFour_IsReported()
    {
        var r = Tenant();
        for (var i = 0; i < 65; i++) r.Labels.Add($"k{i}", "v");
        Expect.Violation(TenantValidation.Validate(r), "labels", "at most 64");
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 1)]
    [InlineData(1000, 1000)]
    public void Page_SizeZeroMeansDefault(int size, int expected)
    {
        var cmd = Expect.Valid(TenantValidation.Validate(new ListTenantsRequest { Page = new PageRequest { PageSize = size } }));
        Assert.Equal(expected, cmd.Page.Size);
        Assert.Null(cmd.Page.Token);
    }

    [Fact]
    public void Page_WhenMissing_IsTheFirstDefaultPage() =>
        Assert.Equal(new Infra.Controller.Domain.Model.Page(100, null), Expect.Valid(TenantValidation.Validate(new ListTenantsRequest())).Page);

    [Theory]
    [InlineData(-1, "", "page.page_size")]
    [InlineData(1001, "", "page.page_size")]
    [InlineData(10, "not a token!", "page.page_size|page.page_token")]
    public void Page_WhenOutOfRange_IsReported(int size, string token, string fields)
    {
        var result = TenantValidation.Validate(new ListTenantsRequest { Page = new PageRequest { PageSize = size, PageToken = token } });
        Expect.Violation(result, fields.Split('|').Last());
    }

    [Fact]
    public void Page_TokenIsPassedThrough()
    {
        var cmd = Expect.Valid(TenantValidation.Validate(new ListTenantsRequest { Page = new PageRequest { PageToken = "eyJrIjoibmV0LTEifQ==" } }));
        Assert.Equal("eyJrIjoibmV0LTEifQ==", cmd.Page.Token);
    }

    [Fact]
    public void Page_WhenTokenTooLong_IsReported() =>
        Expect.Violation(TenantValidation.Validate(new ListTenantsRequest { Page = new PageRequest { PageToken = new string('a', 1025) } }), "page.page_token", "previous page");

    [Theory]
    [InlineData(0L, null)]
    [InlineData(7L, 7L)]
    public void ExpectedRevision_ZeroMeansNoCheck(long revision, long? expected) =>
        Assert.Equal(expected, Expect.Valid(TenantValidation.Validate(new UpdateTenantRequest { Id = Ids.Tenant, ExpectedRevision = revision })).ExpectedRevision);

    [Fact]
    public void ExpectedRevision_WhenNegative_IsReported() =>
        Expect.Violation(TenantValidation.Validate(new UpdateTenantRequest { Id = Ids.Tenant, ExpectedRevision = -1 }), "expected_revision");

    [Fact]
    public void Create_WithManyBadFields_ReportsAllAtOnce()
    {
        var r = new CreateTenantRequest { Name = "Bad Name", RequestId = new string('x', 200) };
        r.Labels.Add("", "v");
        Expect.Fields(TenantValidation.Validate(r), "name", "request_id", "labels[\"\"]");
    }

    [Fact]
    public void TenantIdRequests_RejectOtherKindsOfIds()
    {
        Expect.Violation(TenantValidation.Validate(new GetTenantRequest { Id = Ids.Network }), "id", "not a tenant id");
        Expect.Violation(TenantValidation.Validate(new DeleteTenantRequest { Id = "" }), "id", "is required");
        Assert.Equal(Ids.Tenant, Expect.Valid(TenantValidation.Validate(new DeleteTenantRequest { Id = Ids.Tenant })).Id);
    }
}
