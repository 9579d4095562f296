using Infra.Controller.Domain.Model;
using static Infra.Controller.Domain.Model.InstanceState;

namespace Infra.Controller.Domain.Lifecycle;

// Agent reports (VmStatus): the observed power state settles the transitional states.
public static partial class InstanceLifecycle
{
    /// <summary>
    /// Folds an agent's report into the status. Agents report RUNNING, STOPPED, PAUSED or ERROR;
    /// anything else is ignored. Reports that lag behind an operator action (STOPPED while the
    /// instance is still STARTING, RUNNING while STOPPING) keep the transitional state. A guest that
    /// powers itself off while RUNNING or PAUSED becomes STOPPED with desired STOPPED: the controller
    /// does not restart what the guest shut down (a crash is reported as ERROR instead).
    /// </summary>
    public static ObservedDecision Observe(InstanceStatus s, Infra.V1.InstanceState reported, string reason)
    {
        string? Reason(string fallback) => reason.Length > 0 ? reason : fallback;
        if (s.State is Deleting or Pending) return new(s, null, Ignored: true);
        switch (reported)
        {
            case Infra.V1.InstanceState.Error:
                return new(s with { State = Error }, Reason("the host reported an error without a reason; check the host's agent log"), false);
            case Infra.V1.InstanceState.Running:
                if (s.State == Stopping) return new(s, null, false);
                return new(s with { State = s.Desired == PowerState.Stopped ? Stopping : Running }, null, false);
            case Infra.V1.InstanceState.Stopped:
                return s.State switch
                {
                    Starting => new(s, null, false),
                    Scheduled when s.Desired == PowerState.Running => new(s, null, false),
                    Error => new(s, null, false),
                    Running or Paused => new(s with { State = Stopped, Desired = PowerState.Stopped }, Reason("the guest shut itself down"), false),
                    _ => new(s with { State = Stopped }, null, false),
                };
            case Infra.V1.InstanceState.Paused:
                return s.State is Starting or Stopping ? new(s, null, false) : new(s with { State = Paused }, null, false);
            default:
                return new(s, null, Ignored: true);
        }
    }
}
