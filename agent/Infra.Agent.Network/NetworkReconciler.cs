using Infra.Agent.Network.Flows;
using Infra.Agent.Network.Model;
using Infra.Agent.Network.Ports;
using Infra.Agent.Network.Switch;
using Infra.Ovsdb.Client;
using Infra.Ovsdb.Monitor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Infra.Agent.Network;

public sealed record ReconcileResult(IReadOnlyList<SwitchAction> SwitchActions, FlowApplyResult Flows)
{
    public bool ChangedNothing => SwitchActions.Count == 0 && Flows.Mode != FlowApplyMode.Delta && Flows.ChangedCookies.Count == 0;
}

/// <summary>
/// Brings Open vSwitch to a <see cref="HostNetworkSpec"/>: OVSDB rows first (planned purely from the
/// monitor's replica, applied in one transaction, then waited for until ovs-vswitchd has applied
/// it), then flows (by cookie group, see <see cref="FlowInstaller"/>). A new instance adopts what it
/// finds: rows that already match produce no actions, and flows are diffed, not reinstalled.
/// </summary>
public sealed partial class NetworkReconciler
{
    private readonly OvsdbClient _client;
    private readonly OvsdbReplica _replica;
    private readonly NetworkOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, FlowInstaller> _installers = new(StringComparer.Ordinal);

    private NetworkReconciler(OvsdbClient client, OvsdbReplica replica, NetworkOptions options, ILogger log, TimeProvider time)
    {
        (_client, _replica, _options, _log, _time) = (client, replica, options, log, time);
    }

    public OvsdbReplica Replica => _replica;

    public static async Task<NetworkReconciler> CreateAsync(OvsdbClient client, NetworkOptions options, CancellationToken ct, ILogger? log = null, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid network options: " + string.Join(" ", errors), nameof(options));
        var replica = await client.MonitorAsync(options.Database, new Dictionary<string, MonitorTable>
        {
            ["Open_vSwitch"] = new(["bridges", "next_cfg", "cur_cfg"]),
            ["Bridge"] = new(["name", "ports", "datapath_type", "fail_mode", "other_config"]),
            ["Port"] = new(["name", "interfaces", "external_ids"]),
            ["Interface"] = new(["name", "type", "options", "ofport_request", "ofport", "link_state", "external_ids", "error"]),
        }, ct).ConfigureAwait(false);
        return new NetworkReconciler(client, replica, options, log ?? NullLogger.Instance, time ?? TimeProvider.System);
    }

    /// <param name="verifyFlows">Also check the switch's flow count against the installed table (see
    /// <see cref="FlowInstaller.VerifyAsync"/>); the agent does this on a timer, not on every pass.</param>
    public async Task<ReconcileResult> ReconcileAsync(HostNetworkSpec desired, CancellationToken ct, bool verifyFlows = false)
    {
        var errors = desired.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid host network spec: " + string.Join(" ", errors), nameof(desired));
        var actions = SwitchPlanner.Plan(desired, ObservedSwitch.From(_replica, desired.BridgeName));
        if (actions.Count > 0)
        {
            LogApplyingRows(_log, actions.Count, desired.BridgeName);
            var results = await _client.TransactAsync(_options.Database, SwitchTransaction.Build(desired.BridgeName, actions), ct).ConfigureAwait(false);
            var nextCfg = results[^1].Rows![0]["next_cfg"].Atoms[0] is Infra.Ovsdb.Values.OvsdbInteger i ? i.Value : 0;
            await WaitAppliedAsync(nextCfg, ct).ConfigureAwait(false);
        }
        if (!_installers.TryGetValue(desired.BridgeName, out var installer))
            _installers[desired.BridgeName] = installer = new FlowInstaller(new Ofctl(_options.OpenFlowTarget(desired.BridgeName), _options.OfctlTimeout));
        if (verifyFlows && installer.Installed is not null && !await installer.VerifyAsync(ct).ConfigureAwait(false))
            LogFlowDrift(_log, desired.BridgeName);
        var flows = await installer.ApplyAsync(desired.Flows, ct, desired.KeepUndesired).ConfigureAwait(false);
        if (flows.Mode != FlowApplyMode.Unchanged) LogFlows(_log, flows.Mode, flows.Added, flows.Deleted, flows.ChangedCookies.Count);
        return new ReconcileResult(actions, flows);
    }

    public IReadOnlyList<PortState> PortStates(string bridgeName) => Ports.PortStates.Read(_replica, bridgeName);

    /// <summary>Waits (bounded) until ovs-vswitchd reports cur_cfg >= nextCfg, i.e. it has applied our transaction.</summary>
    private async Task WaitAppliedAsync(long nextCfg, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        while (_replica.Rows("Open_vSwitch").FirstOrDefault()?.GetInteger("cur_cfg") is not { } cur || cur < nextCfg)
        {
            if (_time.GetElapsedTime(started) > _options.ApplyTimeout)
                throw new TimeoutException($"ovs-vswitchd did not apply configuration {nextCfg} within {_options.ApplyTimeout}; is ovs-vswitchd running and connected to the database?");
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, ct).ConfigureAwait(false);
        }
    }
}
