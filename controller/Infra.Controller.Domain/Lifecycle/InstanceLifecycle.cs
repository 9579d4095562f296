using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;
using static Infra.Controller.Domain.Model.InstanceState;

namespace Infra.Controller.Domain.Lifecycle;

/// <summary>
/// The instance state machine, pure. Operator actions change the desired power state and move
/// the instance into the transitional state the controller owns (STARTING, STOPPING, DELETING);
/// the settled states (RUNNING, STOPPED, PAUSED, ERROR) come from what agents report
/// (<see cref="Observe"/>). Repeating an action whose effect is already under way or done is
/// allowed and changes nothing, so orchestrators can retry blindly; an action that cannot apply
/// is refused with a FailedPrecondition that says what to do first.
/// </summary>
public static partial class InstanceLifecycle
{
    public const string RefusalType = "INSTANCE_STATE";

    public static LifecycleDecision Apply(string instanceId, InstanceStatus s, InstanceAction action)
    {
        if (s.State == Deleting)
            return action is InstanceAction.Delete ? LifecycleDecision.To(s) : Refuse(instanceId, s, "is being deleted; it can no longer change");
        return action switch
        {
            InstanceAction.Start => Start(instanceId, s),
            InstanceAction.Stop stop => Stop(instanceId, s, stop.Force),
            InstanceAction.Reboot => Reboot(instanceId, s),
            InstanceAction.Pause => Pause(instanceId, s),
            InstanceAction.Resume => Resume(instanceId, s),
            InstanceAction.Resize resize => Resize(instanceId, s, resize.NeedsStop),
            InstanceAction.Delete => LifecycleDecision.To(s with { State = Deleting, Desired = PowerState.Stopped }),
            InstanceAction.AttachVolume or InstanceAction.DetachVolume => Volumes(instanceId, s),
            InstanceAction.Snapshot => Snapshot(instanceId, s),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "unknown instance action"),
        };
    }

    static LifecycleDecision Start(string id, InstanceStatus s) => s.State switch
    {
        Pending or Scheduled or Starting or Running => LifecycleDecision.To(s with { Desired = PowerState.Running }),
        // A start from STOPPED or ERROR also grows the reboot generation: the agent keeps a VM that
        // crashed or powered itself off down (no crash loops, no fighting the guest) until it grows,
        // and in that case the desired power state was RUNNING all along, so only the generation says "start".
        Stopped => LifecycleDecision.To(s with { State = Starting, Desired = PowerState.Running, RebootGeneration = s.RebootGeneration + 1 }),
        Error => LifecycleDecision.To(s with { State = s.Placed ? Starting : Pending, Desired = PowerState.Running, RebootGeneration = s.RebootGeneration + 1 }),
        Stopping => Refuse(id, s, "is STOPPING; wait until it is STOPPED, then start it"),
        Paused => Refuse(id, s, "is PAUSED; resume it instead of starting it"),
        _ => Unknown(id, s),
    };

    static LifecycleDecision Stop(string id, InstanceStatus s, bool force) => s.State switch
    {
        Pending or Stopped or Stopping => LifecycleDecision.To(s with { Desired = PowerState.Stopped }),
        Scheduled => LifecycleDecision.To(s with { State = Stopped, Desired = PowerState.Stopped }),
        Starting or Running => LifecycleDecision.To(s with { State = Stopping, Desired = PowerState.Stopped }),
        Paused when force => LifecycleDecision.To(s with { State = Stopping, Desired = PowerState.Stopped }),
        Paused => Refuse(id, s, "is PAUSED, so its guest cannot shut down; resume it first, or stop it with force to power it off"),
        Error => LifecycleDecision.To(s with { State = s.Placed ? Stopping : Pending, Desired = PowerState.Stopped }),
        _ => Unknown(id, s),
    };

    static LifecycleDecision Reboot(string id, InstanceStatus s) => s.State switch
    {
        Running => LifecycleDecision.To(s with { RebootGeneration = s.RebootGeneration + 1 }),
        Stopped => Refuse(id, s, "is STOPPED; start it instead of rebooting it"),
        Paused => Refuse(id, s, "is PAUSED; resume it first, then reboot it"),
        _ => NotRunning(id, s, "reboot"),
    };

    static LifecycleDecision Pause(string id, InstanceStatus s) => s.State switch
    {
        Running or Paused => LifecycleDecision.To(s with { Desired = PowerState.Paused }),
        _ => NotRunning(id, s, "pause"),
    };

    static LifecycleDecision Resume(string id, InstanceStatus s) => s.State switch
    {
        Running or Paused => LifecycleDecision.To(s with { Desired = PowerState.Running }),
        Stopped => Refuse(id, s, "is STOPPED; start it instead of resuming it"),
        _ => NotRunning(id, s, "resume"),
    };

    static LifecycleDecision Resize(string id, InstanceStatus s, bool needsStop) => s.State switch
    {
        _ when !needsStop => LifecycleDecision.To(s),
        Pending or Scheduled or Stopped => LifecycleDecision.To(s),
        Error => Refuse(id, s, "is in ERROR and may still be running; stop it first to change vcpus or memory"),
        Stopping => Refuse(id, s, "is STOPPING; wait until it is STOPPED to change vcpus or memory"),
        _ => Refuse(id, s, $"is {Name(s.State)}; stop it first to change vcpus or memory (cpu_mhz alone can change while it runs)"),
    };

    static LifecycleDecision Volumes(string id, InstanceStatus s) => s.State switch
    {
        Pending or Scheduled or Stopped or Running => LifecycleDecision.To(s),
        Starting => Refuse(id, s, "is STARTING; wait until it is RUNNING, then attach or detach volumes"),
        Stopping => Refuse(id, s, "is STOPPING; wait until it is STOPPED, then attach or detach volumes"),
        Paused => Refuse(id, s, "is PAUSED; resume it first, then attach or detach volumes"),
        Error => Refuse(id, s, "is in ERROR; stop it first (see its state_reason), then attach or detach volumes"),
        _ => Unknown(id, s),
    };

    // A snapshot of an ERROR instance is allowed on purpose: it preserves the disks for diagnosis.
    static LifecycleDecision Snapshot(string id, InstanceStatus s) => s.State switch
    {
        Scheduled or Running or Stopped or Paused or Error => LifecycleDecision.To(s),
        Pending => Refuse(id, s, "is PENDING and its volumes may not exist yet; wait until it is placed"),
        Starting => Refuse(id, s, "is STARTING; wait until it is RUNNING, then snapshot it"),
        Stopping => Refuse(id, s, "is STOPPING; wait until it is STOPPED, then snapshot it"),
        _ => Unknown(id, s),
    };

    static LifecycleDecision NotRunning(string id, InstanceStatus s, string verb) => s.State switch
    {
        Pending or Scheduled => Refuse(id, s, $"is {Name(s.State)} and has not started yet; wait until it is RUNNING to {verb} it"),
        Starting => Refuse(id, s, $"is STARTING; wait until it is RUNNING to {verb} it"),
        Stopping => Refuse(id, s, $"is STOPPING; start it once it is STOPPED if you want to {verb} it"),
        Stopped => Refuse(id, s, $"is STOPPED; start it first"),
        Error => Refuse(id, s, $"is in ERROR; stop it, fix the cause in its state_reason, and start it again before you {verb} it"),
        _ => Unknown(id, s),
    };

    static LifecycleDecision Unknown(string id, InstanceStatus s) =>
        throw new InvalidOperationException($"instance {id} is in unhandled state {s.State}");

    static LifecycleDecision Refuse(string id, InstanceStatus s, string text) =>
        LifecycleDecision.Refuse(new FailedPrecondition(RefusalType, $"instances/{id}", $"instance {id} {text}"));

    internal static string Name(InstanceState state) => state.ToString().ToUpperInvariant();
}
