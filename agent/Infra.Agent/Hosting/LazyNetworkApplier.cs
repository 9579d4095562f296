using Infra.Agent.Core.Apply;
using Infra.Agent.Core.State;
using Infra.Agent.Network;
using Infra.Ovsdb.Client;
using Infra.V1;
using Microsoft.Extensions.Logging;

namespace Infra.Agent.Hosting;

/// <summary>
/// The network applier, once OVS answers. ovsdb-server may start after the agent (or restart under
/// it); compute must not wait for it, so until the OVSDB monitor is up each pass reports the
/// network objects as failed ("OVS not reachable") and the next pass tries again.
/// </summary>
public sealed class LazyNetworkApplier(OvsdbClient client, NetworkOptions options, BridgeSettings bridge, ILoggerFactory logs, TimeSpan connectTimeout, Func<string, bool>? tapReady = null, Func<DesiredSnapshot, bool>? keepUndesired = null) : IResourceApplier
{
    private NetworkApplier? _inner;

    /// <summary>The reconciler once connected.</summary>
    public NetworkReconciler? Reconciler => _inner?.Reconciler;

    /// <inheritdoc/>
    public string Name => "network";

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ResourceError>> ApplyAsync(DesiredSnapshot snapshot, bool periodic, CancellationToken ct)
    {
        if (_inner is null)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(connectTimeout);
            try
            {
                var r = await NetworkReconciler.CreateAsync(client, options, cts.Token, logs.CreateLogger<NetworkReconciler>());
                _inner = new NetworkApplier(r, bridge, tapReady, keepUndesired);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return snapshot.Resources.Keys.Where(k => k.Kind is DesiredKind.Port or DesiredKind.Tunnel or DesiredKind.FlowGroup)
                    .Select(k => new ResourceError { Ref = k.ToRef(), Error = $"OVS is not reachable (no OVSDB monitor within {connectTimeout.TotalSeconds:F0} s); is openvswitch-switch running?" })
                    .ToList();
            }
        }
        return await _inner.ApplyAsync(snapshot, periodic, ct);
    }
}
