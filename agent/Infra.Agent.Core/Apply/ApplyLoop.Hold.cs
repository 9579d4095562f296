using Infra.Agent.Core.Status;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

public sealed partial class ApplyLoop : IStatusSource
{
    private string? _held;

    /// <summary>
    /// Why the loop enforces nothing (null: it enforces <see cref="Current"/>). Set when the saved
    /// desired state was damaged: applying the empty state that remains would stop every VM and
    /// volume daemon and remove every flow, so nothing is applied until the controller's state arrives.
    /// </summary>
    public string? Held { get { lock (_lock) return _held; } }

    /// <summary>Reports the hold, so the controller (and the operator) sees why nothing converges.</summary>
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        report.Held = Held ?? "";
        return Task.CompletedTask;
    }
}
