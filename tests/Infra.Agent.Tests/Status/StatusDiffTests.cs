using Infra.Agent.Core.Session;
using Infra.Agent.Core.Status;
using Infra.V1;

namespace Infra.Agent.Tests.Status;

public class StatusDiffTests
{
    private static StatusReport R(params (string Id, InstanceState S, int Pid)[] vms)
    {
        var r = new StatusReport { Full = true };
        r.Vms.AddRange(vms.Select(v => new VmStatus { Id = v.Id, State = v.S, Pid = v.Pid }));
        return r;
    }

    [Fact]
    public void First_IsFull() => Assert.True(StatusDiff.Changes(null, R(("a", InstanceState.Running, 1)))!.Full);

    [Fact]
    public void Unchanged_IsNothing() => Assert.Null(StatusDiff.Changes(R(("a", InstanceState.Running, 1)), R(("a", InstanceState.Running, 1))));

    [Fact]
    public void Changed_SendsOnlyTheChangedObjects()
    {
        var d = StatusDiff.Changes(R(("a", InstanceState.Running, 1), ("b", InstanceState.Running, 2)), R(("a", InstanceState.Running, 1), ("b", InstanceState.Error, 0), ("c", InstanceState.Running, 3)))!;
        Assert.False(d.Full);
        Assert.Equal(["b", "c"], d.Vms.Select(v => v.Id));
    }

    [Fact]
    public void Removed_SendsFull_BecauseOnlyAFullReportCanSayGone()
    {
        var d = StatusDiff.Changes(R(("a", InstanceState.Running, 1), ("b", InstanceState.Running, 2)), R(("a", InstanceState.Running, 1)))!;
        Assert.True(d.Full);
        Assert.Equal(["a"], d.Vms.Select(v => v.Id));
    }

    [Theory]
    [InlineData(0, 0.0, 250)]
    [InlineData(0, 0.999, 500)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(10, 0.0, 15000)]
    [InlineData(40, 0.5, 22500)]
    public void Backoff_DoublesWithJitter_UpToTheMaximum(int attempt, double r, double expectedMs) =>
        Assert.Equal(expectedMs, Backoff.Delay(attempt, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), r).TotalMilliseconds, 0);

    [Fact]
    public void HoldBeginsOrEnds_IsAFullReport()
    {
        var held = R(("a", InstanceState.Running, 1));
        held.Held = "desired-state.pb: checksum mismatch";
        Assert.True(StatusDiff.Changes(R(("a", InstanceState.Running, 1)), held)!.Full);
        Assert.True(StatusDiff.Changes(held, R(("a", InstanceState.Running, 1)))!.Full);
    }
}
