using Google.Rpc;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;

namespace Infra.Controller.Domain.Tests.Errors;

public class StatusMappingTests
{
    [Fact]
    public void Violations_MapToInvalidArgumentWithBadRequestListingEveryField()
    {
        var result = NetworkValidation.Validate(new Infra.V1.CreateNetworkRequest { Name = "X", Mtu = 1 });
        var status = StatusMapping.ToStatus(result.Violations);
        Assert.Equal(3, status.Code);
        Assert.StartsWith("invalid request: 3 fields are invalid, first tenant_id:", status.Message);
        var details = status.DecodeDetails();
        Assert.Equal(3, details.Code);
        Assert.Equal(status.Message, details.Message);
        var any = Assert.Single(details.Details);
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", any.TypeUrl);
        var bad = any.Unpack<BadRequest>();
        Assert.Equal(["tenant_id", "name", "mtu"], bad.FieldViolations.Select(v => v.Field));
        Assert.All(bad.FieldViolations, v => Assert.NotEmpty(v.Description));
    }

    [Fact]
    public void SingleViolation_MessageNamesIt()
    {
        var status = StatusMapping.ToStatus([new FieldViolation("mtu", "must be 576-9000")]);
        Assert.Equal("invalid request: mtu: must be 576-9000", status.Message);
    }

    [Fact]
    public void NotFound_MapsToCode5WithResourceInfo()
    {
        var status = StatusMapping.ToStatus(new NotFound("Network", "net-aaaaaaaaaaaaaaaa"));
        Assert.Equal(5, status.Code);
        Assert.Contains("Network net-aaaaaaaaaaaaaaaa not found", status.Message);
        var info = Assert.Single(status.DecodeDetails().Details).Unpack<ResourceInfo>();
        Assert.Equal(("infra.v1.Network", "net-aaaaaaaaaaaaaaaa"), (info.ResourceType, info.ResourceName));
    }

    [Fact]
    public void AlreadyExists_MapsToCode6AndNamesTheExistingObject()
    {
        var status = StatusMapping.ToStatus(new AlreadyExists("Tenant", "acme", "ten-aaaaaaaaaaaaaaaa"));
        Assert.Equal(6, status.Code);
        Assert.Contains("choose another name", status.Message);
        var info = Assert.Single(status.DecodeDetails().Details).Unpack<ResourceInfo>();
        Assert.Equal("acme", info.ResourceName);
        Assert.Contains("ten-aaaaaaaaaaaaaaaa", info.Description);
    }

    [Fact]
    public void FailedPrecondition_MapsToCode9WithPreconditionFailure()
    {
        var error = new FailedPrecondition("INSTANCE_STATE", "instances/ins-aaaaaaaaaaaaaaaa", "instance ins-aaaaaaaaaaaaaaaa is STOPPED; start it first");
        var status = StatusMapping.ToStatus(error);
        Assert.Equal(9, status.Code);
        Assert.Equal(error.Description, status.Message);
        var violation = Assert.Single(Assert.Single(status.DecodeDetails().Details).Unpack<PreconditionFailure>().Violations);
        Assert.Equal(("INSTANCE_STATE", "instances/ins-aaaaaaaaaaaaaaaa"), (violation.Type, violation.Subject));
    }

    [Fact]
    public void Aborted_MapsToCode10AndTellsToReread()
    {
        var status = StatusMapping.ToStatus(new Aborted("Policy", "pol-aaaaaaaaaaaaaaaa", 4, 7));
        Assert.Equal(10, status.Code);
        Assert.Contains("read it again and retry", status.Message);
        Assert.Contains("revision 7", Assert.Single(status.DecodeDetails().Details).Unpack<ResourceInfo>().Description);
    }

    [Fact]
    public void ValidationResult_InvalidWithoutViolations_IsABug() =>
        Assert.Throws<ArgumentException>(() => ValidationResult<object>.Invalid([]));

    [Fact]
    public void ValidationResult_ValueOfInvalid_ThrowsWithTheViolations()
    {
        var result = ValidationResult<object>.Invalid([new FieldViolation("a", "b")]);
        Assert.Contains("a: b", Assert.Throws<InvalidOperationException>(() => result.Value).Message);
        Assert.Equal("bad", result.Match(_ => "ok", _ => "bad"));
    }
}
