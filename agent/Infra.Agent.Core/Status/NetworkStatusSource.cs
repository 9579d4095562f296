using Infra.Agent.Network;
using Infra.V1;

namespace Infra.Agent.Core.Status;

/// <summary>Port states from the OVSDB replica the network reconciler's monitor keeps current.</summary>
public sealed class NetworkStatusSource(Func<NetworkReconciler?> reconciler, string bridge) : IStatusSource
{
    /// <inheritdoc/>
    public Task CollectAsync(StatusReport report, CancellationToken ct)
    {
        // Until OVS answers there is nothing observed to report; ports are simply not listed yet.
        if (reconciler() is not { } r) return Task.CompletedTask;
        foreach (var p in r.PortStates(bridge))
        {
            // Tunnel ports are the agent's own plumbing, not objects the controller tracks a status of.
            if (p.Owner.StartsWith("tunnel:", StringComparison.Ordinal) || p.Owner.StartsWith("service:", StringComparison.Ordinal)) continue;
            report.Ports.Add(new PortState { Id = p.Owner, Ofport = p.OfPort ?? -1, Up = p.LinkUp, Error = p.Error ?? "" });
        }
        return Task.CompletedTask;
    }
}
