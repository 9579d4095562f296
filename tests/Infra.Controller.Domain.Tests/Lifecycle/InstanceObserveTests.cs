using Infra.Controller.Domain.Lifecycle;
using Infra.Controller.Domain.Model;
using Wire = Infra.V1;

namespace Infra.Controller.Domain.Tests.Lifecycle;

/// <summary>Every (state, agent report) pair: "State/Desired" or "ignored".</summary>
public class InstanceObserveTests
{
    public static TheoryData<InstanceState, Wire.InstanceState, string> Table
    {
        get
        {
            var t = new TheoryData<InstanceState, Wire.InstanceState, string>();
            void Row(InstanceState s, string running, string stopped, string paused, string error)
            {
                t.Add(s, Wire.InstanceState.Running, running);
                t.Add(s, Wire.InstanceState.Stopped, stopped);
                t.Add(s, Wire.InstanceState.Paused, paused);
                t.Add(s, Wire.InstanceState.Error, error);
                t.Add(s, Wire.InstanceState.Starting, "ignored"); // not something an agent reports
            }
            Row(InstanceState.Pending, "ignored", "ignored", "ignored", "ignored");
            Row(InstanceState.Scheduled, "Running/Running", "Scheduled/Running", "Paused/Running", "Error/Running");
            Row(InstanceState.Starting, "Running/Running", "Starting/Running", "Starting/Running", "Error/Running");
            Row(InstanceState.Running, "Running/Running", "Stopped/Stopped", "Paused/Running", "Error/Running");
            Row(InstanceState.Stopping, "Stopping/Stopped", "Stopped/Stopped", "Stopping/Stopped", "Error/Stopped");
            Row(InstanceState.Stopped, "Stopping/Stopped", "Stopped/Stopped", "Paused/Stopped", "Error/Stopped");
            Row(InstanceState.Paused, "Running/Paused", "Stopped/Stopped", "Paused/Paused", "Error/Paused");
            Row(InstanceState.Error, "Running/Running", "Error/Running", "Paused/Running", "Error/Running");
            Row(InstanceState.Deleting, "ignored", "ignored", "ignored", "ignored");
            return t;
        }
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Observe_FollowsTheTable(InstanceState state, Wire.InstanceState reported, string expected)
    {
        var from = InstanceLifecycleTests.From(state);
        var decision = InstanceLifecycle.Observe(from, reported, "");
        if (expected == "ignored")
        {
            Assert.True(decision.Ignored);
            Assert.Equal(from, decision.Next);
            return;
        }
        Assert.False(decision.Ignored);
        Assert.Equal(expected, $"{decision.Next.State}/{decision.Next.Desired}");
        Assert.Equal(from.RebootGeneration, decision.Next.RebootGeneration);
    }

    [Fact]
    public void Observe_Error_CarriesTheAgentsReasonOrAsksToCheckTheLog()
    {
        var running = InstanceLifecycleTests.From(InstanceState.Running);
        Assert.Equal("qemu exited with status 1", InstanceLifecycle.Observe(running, Wire.InstanceState.Error, "qemu exited with status 1").StateReason);
        Assert.Contains("agent log", InstanceLifecycle.Observe(running, Wire.InstanceState.Error, "").StateReason);
    }

    [Fact]
    public void Observe_GuestShutdown_IsExplained()
    {
        var decision = InstanceLifecycle.Observe(InstanceLifecycleTests.From(InstanceState.Running), Wire.InstanceState.Stopped, "");
        Assert.Equal("the guest shut itself down", decision.StateReason);
    }

    [Fact]
    public void StopThenReports_EndStopped()
    {
        var s = InstanceLifecycle.Apply("ins-aaaaaaaaaaaaaaaa", InstanceLifecycleTests.From(InstanceState.Running), new InstanceAction.Stop(false)).Next!;
        s = InstanceLifecycle.Observe(s, Wire.InstanceState.Running, "").Next; // stale report while shutting down
        Assert.Equal(InstanceState.Stopping, s.State);
        s = InstanceLifecycle.Observe(s, Wire.InstanceState.Stopped, "").Next;
        Assert.Equal((InstanceState.Stopped, PowerState.Stopped), (s.State, s.Desired));
    }
}
