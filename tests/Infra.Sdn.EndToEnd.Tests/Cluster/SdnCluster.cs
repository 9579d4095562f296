using Infra.Agent.Network;
using Infra.Agent.Network.Model;
using Infra.TestHosts;
using Infra.Flows;
using Infra.Ovsdb.Client;
using Infra.Sdn.EndToEnd.Tests.Traffic;

namespace Infra.Sdn.EndToEnd.Tests.Cluster;

/// <summary>
/// Three simulated hosts (OvsSandbox) each driven by the REAL agent reconciler with the REAL
/// compiler's flows for the current <see cref="Topology"/>. Ofports come from the switch: the
/// reconciler first creates bridge, GRE and VM ports, the fixture reads the ofports OVS assigned,
/// then compiles each host's state with them and reconciles again with the flows. Every VM gets a
/// namespace (MAC/IPv4/IPv6 as the controller says) and TCP servers on 5000, 5001 and 6000 that
/// greet with the VM's name, so a client learns which VM answered.
/// </summary>
public sealed class SdnCluster : IAsyncLifetime
{
    public const int HostCount = 3;
    private readonly List<(OvsdbClient Client, NetworkReconciler Reconciler)> _agents = [];
    private readonly List<BackgroundTool> _servers = [];
    private readonly Dictionary<string, string> _vmNamespaces = new(StringComparer.Ordinal);
    private Dictionary<string, int>[] _vmOfPorts = [];
    private Dictionary<string, int>[] _peerOfPorts = [];
    private readonly HostNetworkSpec[] _desired = new HostNetworkSpec[HostCount];
    private OvsSandbox? _sandbox;

    public OvsSandbox Sandbox => _sandbox ?? throw new ObjectDisposedException(nameof(SdnCluster));
    public Topology Topology { get; private set; } = Topology.Default();

    public string Ns(string vm) => _vmNamespaces[vm];
    public OvsHost Host(int i) => Sandbox.Hosts[i];

    public static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public async Task InitializeAsync()
    {
        try
        {
            _sandbox = new OvsSandbox(HostCount);
            for (var h = 0; h < HostCount; h++)
            {
                var client = new OvsdbClient(new OvsdbClientOptions(Host(h).DbEndpoint) { MinBackoff = TimeSpan.FromMilliseconds(50) });
                client.Start();
                _agents.Add((client, await NetworkReconciler.CreateAsync(client, new NetworkOptions(Host(h).RunDir), Ct)));
            }
            await CreatePortsAsync();
            await ApplyAsync(Topology);
            WarmUnderlay();
            foreach (var vm in Topology.Vms) AttachVm(vm);
            foreach (var vm in Topology.Vms)
                foreach (var port in (int[])[5000, 5001, 6000])
                    _servers.Add(NetTool.Start(Ns(vm.Name), "tcp-serve", vm.Name, port.ToString()).Ready());
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private HostNetworkSpec Spec(int h, IReadOnlyList<FlowSpec> flows) => new(
        "br-int", "netdev", 0x0000_02ee_0000_0000UL + (ulong)h + 1,
        Enumerable.Range(0, HostCount).Where(o => o != h).Select(o => new TunnelPeer(Topology.HostId(o), OvsSandbox.UnderlayIp(o))).ToList(),
        Topology.Vms.Where(v => v.Host == h).Select(v => new VmPort(v.PortId, v.Iface, VmPortKind.Internal, v.OfPort)).ToList(),
        flows);

    /// <summary>Rows first (no flows: fail_mode=secure drops all), then the ofports OVS actually assigned.</summary>
    private async Task CreatePortsAsync()
    {
        _vmOfPorts = new Dictionary<string, int>[HostCount];
        _peerOfPorts = new Dictionary<string, int>[HostCount];
        for (var h = 0; h < HostCount; h++)
        {
            var spec = Spec(h, []);
            await _agents[h].Reconciler.ReconcileAsync(spec, Ct);
            var expected = spec.Peers.Count + spec.Ports.Count;
            Cmd.WaitUntil(() => _agents[h].Reconciler.PortStates("br-int").Count(s => s.OfPort is not null) == expected, $"ofports on host {h + 1}");
            var states = _agents[h].Reconciler.PortStates("br-int");
            _peerOfPorts[h] = states.Where(s => s.Owner.StartsWith("tunnel:", StringComparison.Ordinal))
                .ToDictionary(s => s.Owner["tunnel:".Length..], s => s.OfPort!.Value);
            _vmOfPorts[h] = states.Where(s => !s.Owner.StartsWith("tunnel:", StringComparison.Ordinal)).ToDictionary(s => s.Owner, s => s.OfPort!.Value);
        }
    }

    /// <summary>Compiles every host's flows for <paramref name="topology"/> and reconciles each host's switch to them.</summary>
    public async Task<IReadOnlyList<ReconcileResult>> ApplyAsync(Topology topology)
    {
        Topology = topology;
        var results = new List<ReconcileResult>();
        for (var h = 0; h < HostCount; h++)
        {
            var state = topology.StateFor(h, OvsSandbox.UnderlayIp(h), _peerOfPorts[h], _vmOfPorts[h]);
            _desired[h] = Spec(h, FlowCompiler.Compile(state).ToFlowSpecs());
            results.Add(await _agents[h].Reconciler.ReconcileAsync(_desired[h], Ct));
        }
        return results;
    }

    /// <summary>What host <paramref name="h"/> was last reconciled to (rows and the compiled flows).</summary>
    public HostNetworkSpec DesiredSpec(int h) => _desired[h];

    public IReadOnlyList<int> FlowCounts => _desired.Select(d => d.Flows.Count).ToList();

    /// <summary>A pass of the running agent that also checks the switch's flow count for drift.</summary>
    public Task<ReconcileResult> VerifyAsync(int h) => _agents[h].Reconciler.ReconcileAsync(_desired[h], Ct, verifyFlows: true);

    /// <summary>What a restarted agent does on host <paramref name="h"/>: a new OVSDB client and reconciler adopting the switch.</summary>
    public async Task<ReconcileResult> ReconcileWithFreshAgentAsync(int h)
    {
        await using var client = new OvsdbClient(new OvsdbClientOptions(Host(h).DbEndpoint) { MinBackoff = TimeSpan.FromMilliseconds(50) });
        client.Start();
        var reconciler = await NetworkReconciler.CreateAsync(client, new NetworkOptions(Host(h).RunDir), Ct);
        return await reconciler.ReconcileAsync(_desired[h], Ct);
    }

    /// <summary>
    /// The userspace datapath drops a tunnelled packet whose underlay next hop it has not resolved
    /// yet (it sends an ARP instead), as a real host would lose the very first packet. Host-to-host
    /// pings on the underlay let every OVS snoop its peers' ARP, so tests start from a settled underlay.
    /// </summary>
    private void WarmUnderlay()
    {
        for (var h = 0; h < HostCount; h++)
            for (var o = 0; o < HostCount; o++)
                if (o != h) Cmd.RunWithExit("ip", ["netns", "exec", Host(h).Namespace, "ping", "-c", "1", "-W", "2", OvsSandbox.UnderlayIp(o)], timeoutMs: 10000);
        for (var h = 0; h < HostCount; h++)
        {
            var host = Host(h);
            var peers = Enumerable.Range(0, HostCount).Where(o => o != h).Select(OvsSandbox.UnderlayIp).ToList();
            Cmd.WaitUntil(() => host.Appctl("tnl/neigh/show") is var table && peers.All(table.Contains), $"underlay neighbours in {host.Name}'s tunnel cache");
        }
    }

    private void AttachVm(Vm vm)
    {
        var ns = Host(vm.Host).AttachVm(vm.Iface, $"{vm.V4}/24", vm.Mac);
        _vmNamespaces[vm.Name] = ns;
        // nodad: the fabric drops DAD probes (they would read as "address free" anyway); skip the wait.
        Cmd.InNs(ns, "ip", "-6", "addr", "add", $"{vm.V6}/64", "dev", vm.Iface, "nodad");
    }

    /// <summary>The host's underlay veth (the host's "NIC"), found by type since its name is random.</summary>
    public string UnderlayNic(int h) =>
        Host(h).Exec("ip", "-o", "link", "show", "type", "veth").Split(':', 3)[1].Trim().Split('@')[0];

    /// <summary>The VM's neighbour entry for <paramref name="address"/> (MAC or null).</summary>
    public string? NeighbourMac(string vm, string address)
    {
        var line = Cmd.InNs(Ns(vm), "ip", "neigh", "show", address).Trim();
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(parts, "lladdr");
        return i >= 0 ? parts[i + 1] : null;
    }

    public async Task DisposeAsync()
    {
        // Idempotent: InitializeAsync calls this on failure, and xunit may call it again.
        foreach (var s in _servers) s.Dispose();
        _servers.Clear();
        foreach (var (client, _) in _agents) await client.DisposeAsync();
        _agents.Clear();
        _sandbox?.Dispose(); // also deletes the VM namespaces AttachVm made
        _sandbox = null;
    }
}

[CollectionDefinition(Name)]
public sealed class SdnCollection : ICollectionFixture<SdnCluster>
{
    public const string Name = "sdn";
}
