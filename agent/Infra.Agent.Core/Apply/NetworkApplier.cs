using Infra.Agent.Core.State;
using Infra.Agent.Network;
using Infra.V1;

namespace Infra.Agent.Core.Apply;

/// <summary>
/// Hands the snapshot's ports, tunnels and flow groups to the OVS reconciler. While
/// <paramref name="keepUndesired"/> says so (a VM runs here that the snapshot does not name: an
/// orphan), nothing is removed from the switch, so an empty or partial desired state cannot cut a
/// running guest off the network; additions and changes still apply.
/// </summary>
public sealed class NetworkApplier(NetworkReconciler reconciler, BridgeSettings bridge, Func<string, bool>? tapReady = null, Func<DesiredSnapshot, bool>? keepUndesired = null) : IResourceApplier
{
    /// <inheritdoc/>
    public string Name => "network";

    /// <summary>The reconciler (port states for status reports).</summary>
    public NetworkReconciler Reconciler => reconciler;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        var mapped = NetworkMapping.ToHostNetwork(snapshot, bridge, tapReady);
        if (keepUndesired?.Invoke(snapshot) == true) mapped = mapped with { Value = mapped.Value with { KeepUndesired = true } };
        var invalid = mapped.Value.Validate();
        if (invalid.Count > 0) return [.. mapped.Errors, .. AllNetwork(snapshot, "host network spec is invalid: " + string.Join(" ", invalid))];
        try
        {
            // The periodic pass also re-reads the flow table, so flows someone deleted by hand come back.
            await reconciler.ReconcileAsync(mapped.Value, ct, verifyFlows: periodic);
            return mapped.Errors;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return [.. mapped.Errors, .. AllNetwork(snapshot, $"OVS reconcile failed: {e.Message}")];
        }
    }

    private static IEnumerable<ResourceError> AllNetwork(DesiredSnapshot s, string error) =>
        s.Resources.Keys.Where(k => k.Kind is DesiredKind.Port or DesiredKind.Tunnel or DesiredKind.FlowGroup)
            .Select(k => new ResourceError { Ref = k.ToRef(), Error = error });
}
