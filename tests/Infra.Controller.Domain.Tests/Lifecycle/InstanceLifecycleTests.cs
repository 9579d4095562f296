using Infra.Controller.Domain.Lifecycle;
using Infra.Controller.Domain.Model;
using Wire = Infra.V1;

namespace Infra.Controller.Domain.Tests.Lifecycle;

/// <summary>Every (state, action) pair, as a table: "State/Desired" for the next status, "refuse:text" for a refusal.</summary>
public class InstanceLifecycleTests
{
    const string Id = "ins-aaaaaaaaaaaaaaaa";

    static readonly Dictionary<string, InstanceAction> Actions = new()
    {
        ["start"] = new InstanceAction.Start(),
        ["stop"] = new InstanceAction.Stop(false),
        ["stop!"] = new InstanceAction.Stop(true),
        ["reboot"] = new InstanceAction.Reboot(false),
        ["reboot!"] = new InstanceAction.Reboot(true),
        ["pause"] = new InstanceAction.Pause(),
        ["resume"] = new InstanceAction.Resume(),
        ["resize-cpu"] = new InstanceAction.Resize(false),
        ["resize-full"] = new InstanceAction.Resize(true),
        ["delete"] = new InstanceAction.Delete(),
        ["attach"] = new InstanceAction.AttachVolume(),
        ["detach"] = new InstanceAction.DetachVolume(),
        ["snapshot"] = new InstanceAction.Snapshot(),
    };

    /// <summary>The status each state is tested from: the desired state it normally has, placed unless PENDING.</summary>
    internal static InstanceStatus From(InstanceState state) => new(state, state switch
    {
        InstanceState.Stopping or InstanceState.Stopped or InstanceState.Deleting => PowerState.Stopped,
        InstanceState.Paused => PowerState.Paused,
        _ => PowerState.Running,
    }, RebootGeneration: 3, Placed: state != InstanceState.Pending);

    public static TheoryData<InstanceState, string, string> Table => new()
    {
        { InstanceState.Pending, "start", "Pending/Running" },
        { InstanceState.Pending, "stop", "Pending/Stopped" },
        { InstanceState.Pending, "stop!", "Pending/Stopped" },
        { InstanceState.Pending, "reboot", "refuse:is PENDING and has not started yet; wait until it is RUNNING to reboot it" },
        { InstanceState.Pending, "reboot!", "refuse:has not started yet" },
        { InstanceState.Pending, "pause", "refuse:has not started yet" },
        { InstanceState.Pending, "resume", "refuse:has not started yet" },
        { InstanceState.Pending, "resize-cpu", "Pending/Running" },
        { InstanceState.Pending, "resize-full", "Pending/Running" },
        { InstanceState.Pending, "delete", "Deleting/Stopped" },
        { InstanceState.Pending, "attach", "Pending/Running" },
        { InstanceState.Pending, "detach", "Pending/Running" },
        { InstanceState.Pending, "snapshot", "refuse:volumes may not exist yet; wait until it is placed" },

        { InstanceState.Scheduled, "start", "Scheduled/Running" },
        { InstanceState.Scheduled, "stop", "Stopped/Stopped" },
        { InstanceState.Scheduled, "stop!", "Stopped/Stopped" },
        { InstanceState.Scheduled, "reboot", "refuse:is SCHEDULED and has not started yet" },
        { InstanceState.Scheduled, "reboot!", "refuse:has not started yet" },
        { InstanceState.Scheduled, "pause", "refuse:has not started yet" },
        { InstanceState.Scheduled, "resume", "refuse:has not started yet" },
        { InstanceState.Scheduled, "resize-cpu", "Scheduled/Running" },
        { InstanceState.Scheduled, "resize-full", "Scheduled/Running" },
        { InstanceState.Scheduled, "delete", "Deleting/Stopped" },
        { InstanceState.Scheduled, "attach", "Scheduled/Running" },
        { InstanceState.Scheduled, "detach", "Scheduled/Running" },
        { InstanceState.Scheduled, "snapshot", "Scheduled/Running" },

        { InstanceState.Starting, "start", "Starting/Running" },
        { InstanceState.Starting, "stop", "Stopping/Stopped" },
        { InstanceState.Starting, "stop!", "Stopping/Stopped" },
        { InstanceState.Starting, "reboot", "refuse:is STARTING; wait until it is RUNNING to reboot it" },
        { InstanceState.Starting, "reboot!", "refuse:wait until it is RUNNING" },
        { InstanceState.Starting, "pause", "refuse:wait until it is RUNNING to pause it" },
        { InstanceState.Starting, "resume", "refuse:wait until it is RUNNING to resume it" },
        { InstanceState.Starting, "resize-cpu", "Starting/Running" },
        { InstanceState.Starting, "resize-full", "refuse:is STARTING; stop it first to change vcpus or memory" },
        { InstanceState.Starting, "delete", "Deleting/Stopped" },
        { InstanceState.Starting, "attach", "refuse:wait until it is RUNNING, then attach" },
        { InstanceState.Starting, "detach", "refuse:wait until it is RUNNING" },
        { InstanceState.Starting, "snapshot", "refuse:is STARTING; wait until it is RUNNING, then snapshot it" },

        { InstanceState.Running, "start", "Running/Running" },
        { InstanceState.Running, "stop", "Stopping/Stopped" },
        { InstanceState.Running, "stop!", "Stopping/Stopped" },
        { InstanceState.Running, "reboot", "Running/Running" },
        { InstanceState.Running, "reboot!", "Running/Running" },
        { InstanceState.Running, "pause", "Running/Paused" },
        { InstanceState.Running, "resume", "Running/Running" },
        { InstanceState.Running, "resize-cpu", "Running/Running" },
        { InstanceState.Running, "resize-full", "refuse:is RUNNING; stop it first to change vcpus or memory (cpu_mhz alone can change while it runs)" },
        { InstanceState.Running, "delete", "Deleting/Stopped" },
        { InstanceState.Running, "attach", "Running/Running" },
        { InstanceState.Running, "detach", "Running/Running" },
        { InstanceState.Running, "snapshot", "Running/Running" },

        { InstanceState.Stopping, "start", "refuse:is STOPPING; wait until it is STOPPED, then start it" },
        { InstanceState.Stopping, "stop", "Stopping/Stopped" },
        { InstanceState.Stopping, "stop!", "Stopping/Stopped" },
        { InstanceState.Stopping, "reboot", "refuse:is STOPPING" },
        { InstanceState.Stopping, "reboot!", "refuse:is STOPPING" },
        { InstanceState.Stopping, "pause", "refuse:is STOPPING" },
        { InstanceState.Stopping, "resume", "refuse:is STOPPING" },
        { InstanceState.Stopping, "resize-cpu", "Stopping/Stopped" },
        { InstanceState.Stopping, "resize-full", "refuse:wait until it is STOPPED to change vcpus or memory" },
        { InstanceState.Stopping, "delete", "Deleting/Stopped" },
        { InstanceState.Stopping, "attach", "refuse:wait until it is STOPPED, then attach" },
        { InstanceState.Stopping, "detach", "refuse:wait until it is STOPPED" },
        { InstanceState.Stopping, "snapshot", "refuse:wait until it is STOPPED, then snapshot it" },

        { InstanceState.Stopped, "start", "Starting/Running" },
        { InstanceState.Stopped, "stop", "Stopped/Stopped" },
        { InstanceState.Stopped, "stop!", "Stopped/Stopped" },
        { InstanceState.Stopped, "reboot", "refuse:is STOPPED; start it instead of rebooting it" },
        { InstanceState.Stopped, "reboot!", "refuse:start it instead" },
        { InstanceState.Stopped, "pause", "refuse:instance ins-aaaaaaaaaaaaaaaa is STOPPED; start it first" },
        { InstanceState.Stopped, "resume", "refuse:is STOPPED; start it instead of resuming it" },
        { InstanceState.Stopped, "resize-cpu", "Stopped/Stopped" },
        { InstanceState.Stopped, "resize-full", "Stopped/Stopped" },
        { InstanceState.Stopped, "delete", "Deleting/Stopped" },
        { InstanceState.Stopped, "attach", "Stopped/Stopped" },
        { InstanceState.Stopped, "detach", "Stopped/Stopped" },
        { InstanceState.Stopped, "snapshot", "Stopped/Stopped" },

        { InstanceState.Paused, "start", "refuse:is PAUSED; resume it instead of starting it" },
        { InstanceState.Paused, "stop", "refuse:resume it first, or stop it with force" },
        { InstanceState.Paused, "stop!", "Stopping/Stopped" },
        { InstanceState.Paused, "reboot", "refuse:is PAUSED; resume it first, then reboot it" },
        { InstanceState.Paused, "reboot!", "refuse:resume it first" },
        { InstanceState.Paused, "pause", "Paused/Paused" },
        { InstanceState.Paused, "resume", "Paused/Running" },
        { InstanceState.Paused, "resize-cpu", "Paused/Paused" },
        { InstanceState.Paused, "resize-full", "refuse:is PAUSED; stop it first" },
        { InstanceState.Paused, "delete", "Deleting/Stopped" },
        { InstanceState.Paused, "attach", "refuse:resume it first, then attach" },
        { InstanceState.Paused, "detach", "refuse:resume it first" },
        { InstanceState.Paused, "snapshot", "Paused/Paused" },

        { InstanceState.Error, "start", "Starting/Running" },
        { InstanceState.Error, "stop", "Stopping/Stopped" },
        { InstanceState.Error, "stop!", "Stopping/Stopped" },
        { InstanceState.Error, "reboot", "refuse:is in ERROR; stop it, fix the cause in its state_reason, and start it again before you reboot it" },
        { InstanceState.Error, "reboot!", "refuse:is in ERROR" },
        { InstanceState.Error, "pause", "refuse:is in ERROR" },
        { InstanceState.Error, "resume", "refuse:is in ERROR" },
        { InstanceState.Error, "resize-cpu", "Error/Running" },
        { InstanceState.Error, "resize-full", "refuse:may still be running; stop it first" },
        { InstanceState.Error, "delete", "Deleting/Stopped" },
        { InstanceState.Error, "attach", "refuse:is in ERROR; stop it first" },
        { InstanceState.Error, "detach", "refuse:is in ERROR" },
        { InstanceState.Error, "snapshot", "Error/Running" },

        { InstanceState.Deleting, "start", "refuse:is being deleted" },
        { InstanceState.Deleting, "stop", "refuse:is being deleted" },
        { InstanceState.Deleting, "stop!", "refuse:is being deleted" },
        { InstanceState.Deleting, "reboot", "refuse:is being deleted" },
        { InstanceState.Deleting, "reboot!", "refuse:is being deleted" },
        { InstanceState.Deleting, "pause", "refuse:is being deleted" },
        { InstanceState.Deleting, "resume", "refuse:is being deleted" },
        { InstanceState.Deleting, "resize-cpu", "refuse:is being deleted" },
        { InstanceState.Deleting, "resize-full", "refuse:is being deleted" },
        { InstanceState.Deleting, "delete", "Deleting/Stopped" },
        { InstanceState.Deleting, "attach", "refuse:is being deleted" },
        { InstanceState.Deleting, "detach", "refuse:is being deleted" },
        { InstanceState.Deleting, "snapshot", "refuse:is being deleted" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Apply_FollowsTheTable(InstanceState state, string action, string expected)
    {
        var from = From(state);
        var decision = InstanceLifecycle.Apply(Id, from, Actions[action]);
        if (expected.StartsWith("refuse:", StringComparison.Ordinal))
        {
            Assert.False(decision.Allowed, $"expected a refusal, got {decision.Next}");
            Assert.Equal(InstanceLifecycle.RefusalType, decision.Refusal!.Type);
            Assert.Equal($"instances/{Id}", decision.Refusal.Subject);
            Assert.StartsWith($"instance {Id} ", decision.Refusal.Description);
            Assert.Contains(expected["refuse:".Length..], decision.Refusal.Description);
        }
        else
        {
            Assert.True(decision.Allowed, decision.Refusal?.Description);
            Assert.Equal(expected, $"{decision.Next!.State}/{decision.Next.Desired}");
            Assert.Equal(from.Placed, decision.Next.Placed);
            // A reboot grows the generation, and so does a start from STOPPED or ERROR (the agent keeps a
            // crashed or self-powered-off VM down until the generation grows).
            var grows = action.StartsWith("reboot") || (action == "start" && from.State is InstanceState.Stopped or InstanceState.Error);
            Assert.Equal(from.RebootGeneration + (grows ? 1 : 0), decision.Next.RebootGeneration);
        }
    }

    [Fact]
    public void Table_CoversEveryStateAndAction()
    {
        var rows = Table.Select(r => ((InstanceState)r[0], (string)r[1])).ToHashSet();
        Assert.Equal(Enum.GetValues<InstanceState>().Length * Actions.Count, rows.Count);
    }

    [Fact]
    public void Start_WhenErrorAndUnplaced_GoesBackToPlacement()
    {
        var decision = InstanceLifecycle.Apply(Id, From(InstanceState.Error) with { Placed = false }, new InstanceAction.Start());
        Assert.Equal(InstanceState.Pending, decision.Next!.State);
        var stop = InstanceLifecycle.Apply(Id, From(InstanceState.Error) with { Placed = false }, new InstanceAction.Stop(false));
        Assert.Equal((InstanceState.Pending, PowerState.Stopped), (stop.Next!.State, stop.Next.Desired));
    }

    [Fact]
    public void Reboot_Twice_BumpsTheGenerationTwice()
    {
        var once = InstanceLifecycle.Apply(Id, From(InstanceState.Running), new InstanceAction.Reboot(false)).Next!;
        var twice = InstanceLifecycle.Apply(Id, once, new InstanceAction.Reboot(true)).Next!;
        Assert.Equal(5, twice.RebootGeneration);
    }

    [Fact]
    public void Resume_CancelsAPauseStillUnderWay()
    {
        var pausing = InstanceLifecycle.Apply(Id, From(InstanceState.Running), new InstanceAction.Pause()).Next!;
        Assert.Equal(PowerState.Paused, pausing.Desired);
        Assert.Equal(PowerState.Running, InstanceLifecycle.Apply(Id, pausing, new InstanceAction.Resume()).Next!.Desired);
    }
}
