using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>One subsystem's observed state, added to a full status report.</summary>
public interface IStatusSource
{
    /// <summary>Adds every object this subsystem observes to <paramref name="report"/>.</summary>
    Task CollectAsync(StatusReport report, CancellationToken ct);
}
