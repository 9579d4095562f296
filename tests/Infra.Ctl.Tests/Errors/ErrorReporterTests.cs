using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Infra.Ctl.Errors;
using Infra.V1;
using Grpc.Core;
using GrpcStatus = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace Infra.Ctl.Tests.Errors;

public sealed class ErrorReporterTests
{
    const string Url = "http://10.9.9.9:7443";

    [Theory]
    [InlineData(StatusCode.InvalidArgument, 3)]
    [InlineData(StatusCode.OutOfRange, 3)]
    [InlineData(StatusCode.NotFound, 4)]
    [InlineData(StatusCode.AlreadyExists, 5)]
    [InlineData(StatusCode.FailedPrecondition, 6)]
    [InlineData(StatusCode.Aborted, 6)]
    [InlineData(StatusCode.Unauthenticated, 7)]
    [InlineData(StatusCode.PermissionDenied, 7)]
    [InlineData(StatusCode.Unavailable, 8)]
    [InlineData(StatusCode.DeadlineExceeded, 8)]
    [InlineData(StatusCode.Internal, 1)]
    [InlineData(StatusCode.Unknown, 1)]
    [InlineData(StatusCode.Unimplemented, 1)]
    [InlineData(StatusCode.DataLoss, 1)]
    [InlineData(StatusCode.ResourceExhausted, 1)]
    public void StatusCode_MapsToDocumentedExitCode(StatusCode code, int exitCode) =>
        Assert.Equal(exitCode, ErrorReporter.ExitCodeFor(code));

    static RpcException WithDetails(StatusCode code, string detail, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = detail };
        foreach (var d in details) status.Details.Add(Any.Pack(d));
        return RpcStatusDetails.WithDetails(new GrpcStatus(code, detail), status.ToByteArray());
    }

    [Fact]
    public void InvalidArgument_PrintsSummaryThenEachFieldViolation()
    {
        var bad = new BadRequest();
        bad.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "subnets[0].cidr", Description = "must be a CIDR such as 10.0.0.0/24" });
        bad.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "name", Description = "must be 1-63 characters of [a-z0-9-]" });

        var lines = ErrorReporter.Lines(WithDetails(StatusCode.InvalidArgument, "2 fields are invalid", bad), Url, null);

        Assert.Equal([
            "error: invalid argument: 2 fields are invalid",
            "error: invalid argument: subnets[0].cidr: must be a CIDR such as 10.0.0.0/24",
            "error: invalid argument: name: must be 1-63 characters of [a-z0-9-]",
        ], lines);
    }

    [Fact]
    public void FailedPrecondition_FoldsViolationsIntoOneLine()
    {
        var pf = new PreconditionFailure();
        pf.Violations.Add(new PreconditionFailure.Types.Violation { Type = "IN_USE", Subject = "networks/net-1", Description = "2 ports still use it" });

        var lines = ErrorReporter.Lines(WithDetails(StatusCode.FailedPrecondition, "network net-1 is in use", pf), Url, null);

        Assert.Equal(["error: failed precondition: network net-1 is in use (networks/net-1: 2 ports still use it)"], lines);
    }

    [Fact]
    public void Aborted_SaysToReadAgain()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.Aborted, "revision 7 is stale (now 9)")), Url, null));
        Assert.Equal("error: conflict: revision 7 is stale (now 9); the object changed meanwhile, read it again and retry", line);
    }

    [Fact]
    public void NotFound_WithoutDetail_UsesResourceInfo()
    {
        var info = new ResourceInfo { ResourceType = "network", ResourceName = "net-404" };
        var line = Assert.Single(ErrorReporter.Lines(WithDetails(StatusCode.NotFound, "", info), Url, null));
        Assert.Equal("error: not found: network 'net-404' does not exist", line);
    }

    [Fact]
    public void Unavailable_NamesTheUrlAndHowToPointElsewhere()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.Unavailable, "Connection refused")), Url, null));
        Assert.StartsWith($"error: cannot reach the controller at {Url}: Connection refused;", line);
        Assert.Contains("--controller", line);
        Assert.Contains("INFRA_CONTROLLER", line);
    }

    [Fact]
    public void Unavailable_AboutAHostsAgent_QuotesTheControllerWithoutBlamingTheUrl()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.Unavailable, "host h1 disconnected during the command; retry")), Url, null));
        Assert.Equal("error: unavailable: host h1 disconnected during the command; retry", line);
        Assert.Equal(8, ErrorReporter.ExitCodeFor(StatusCode.Unavailable));
    }

    [Fact]
    public void DeadlineExceeded_SaysTheTimeout()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.DeadlineExceeded, "")), Url, TimeSpan.FromSeconds(5)));
        Assert.StartsWith($"error: deadline exceeded after 5s waiting for the controller at {Url}; raise --timeout", line);
    }

    [Fact]
    public void Unauthenticated_SaysWhereTheTokenComesFrom()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.Unauthenticated, "missing bearer token")), Url, null));
        Assert.Equal("error: unauthenticated: missing bearer token; pass --token, set env INFRA_TOKEN, or 'token:' in ~/.config/infra/infractl.yaml", line);
    }

    [Fact]
    public void MultiLineDetail_IsFoldedToOneLine()
    {
        var line = Assert.Single(ErrorReporter.Lines(new RpcException(new GrpcStatus(StatusCode.Internal, "store failed\n  at X.Y()\r\n  at Z")), Url, null));
        Assert.Equal("error: internal: store failed at X.Y() at Z", line);
    }

    [Fact]
    public void UnparseableDetailsTrailer_StillPrintsTheSummary()
    {
        var e = RpcStatusDetails.WithDetails(new GrpcStatus(StatusCode.InvalidArgument, "bad"), [0xFF, 0xFF, 0xFF]);
        Assert.Equal(["error: invalid argument: bad"], ErrorReporter.Lines(e, Url, null));
    }
}
