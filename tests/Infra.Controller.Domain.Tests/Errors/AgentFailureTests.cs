using Infra.Controller.Domain.Errors;

namespace Infra.Controller.Domain.Tests.Errors;

public sealed class AgentFailureTests
{
    [Theory]
    [InlineData("guest agent did not answer guest-fsfreeze-freeze", true, AgentFailure.QuiesceFailed)]
    [InlineData("cannot FREEZE filesystems: /data busy", true, AgentFailure.QuiesceFailed)]
    [InlineData("qga socket missing", true, AgentFailure.QuiesceFailed)]
    [InlineData("guest agent did not answer", false, AgentFailure.SnapshotFailed)] // not required: a plain failure
    [InlineData("no space left on pool default", true, AgentFailure.SnapshotFailed)]
    public void Snapshot_QuiesceFailureGetsItsOwnType_OnlyWhenRequired(string agentError, bool required, string type)
    {
        var e = AgentFailure.Snapshot("instance ins-1", "h1", agentError, required);
        Assert.Equal(type, e.Type);
        Assert.Contains(agentError, e.Description);
        Assert.Contains("host h1", e.Description);
        Assert.Equal(StatusCodes.FailedPrecondition, StatusMapping.ToStatus(e).Code);
    }

    [Fact]
    public void ExportAndDelete_QuoteTheAgentAndTheHost()
    {
        Assert.Equal("host h2 could not export snp-1: read error at 4096", AgentFailure.Export("snp-1", "h2", "read error at 4096").Description);
        var d = AgentFailure.Delete("snp-1", "h2", "busy");
        Assert.Equal(AgentFailure.DeleteFailed, d.Type);
        Assert.Contains("retry the delete", d.Description);
    }
}
