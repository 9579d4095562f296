using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Model;

namespace Infra.Controller.Domain.Lifecycle;

/// <summary>
/// What the lifecycle tracks of an instance: its state, the power state the operator wants, a
/// reboot generation (bumped per reboot so the agent reboots exactly once per request, even after
/// reconnecting), and whether placement has given it a host.
/// </summary>
public sealed record InstanceStatus(InstanceState State, PowerState Desired, long RebootGeneration, bool Placed);

/// <summary>The lifecycle's answer to an action: the next status, or why not.</summary>
public sealed record LifecycleDecision(InstanceStatus? Next, FailedPrecondition? Refusal)
{
    public bool Allowed => Next is not null;
    public static LifecycleDecision To(InstanceStatus next) => new(next, null);
    public static LifecycleDecision Refuse(FailedPrecondition why) => new(null, why);
}

/// <summary>The result of an agent's report: the next status and the reason to show, or ignored.</summary>
public sealed record ObservedDecision(InstanceStatus Next, string? StateReason, bool Ignored);
