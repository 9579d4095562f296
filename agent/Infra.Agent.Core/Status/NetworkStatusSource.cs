using Infra.Agent.Network;
using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>Port states from the OVSDB replica the network reconciler's monitor keeps current.</summary>
public sealed class NetworkStatusSource(NetworkReconciler reconciler, string bridge) : IStatusSource
{
    /// <inheritdoc/>
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        foreach (var p in reconciler.PortStates(bridge))
        {
            // Tunnel ports are the agent's own plumbing, not objects the controller tracks a status of.
            if (p.Owner.StartsWith("tunnel:", StringComparison.Ordinal)) continue;
            report.Ports.Add(new PortState { Id = p.Owner, Ofport = p.OfPort ?? -1, Up = p.LinkUp, Error = p.Error ?? "" });
        }
        return Task.CompletedTask;
    }
}
