using Infra.Agent.Network.Model;
using Infra.TestHosts;
using Infra.Ovsdb.Client;

namespace Infra.Agent.Network.Tests.Integration;

/// <summary>An agent's view of one OvsHost: a reconnecting OVSDB client and a reconciler on it.</summary>
internal sealed class Agent : IAsyncDisposable
{
    public required OvsdbClient Client { get; init; }
    public required NetworkReconciler Reconciler { get; init; }

    public static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static async Task<Agent> StartAsync(OvsHost host)
    {
        var client = new OvsdbClient(new OvsdbClientOptions(host.DbEndpoint) { MinBackoff = TimeSpan.FromMilliseconds(50) });
        client.Start();
        var reconciler = await NetworkReconciler.CreateAsync(client, new NetworkOptions(host.RunDir), Ct);
        return new Agent { Client = client, Reconciler = reconciler };
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

internal static class Specs
{
    public const ulong DropAll = 0x1, FromVm = 0x100, FromTunnel = 0x200;
    public const int VmOfPort = 1;

    /// <summary>A host with one VM port (ofport 1) on tenant key 5001 and GRE to each peer; deny by default.</summary>
    public static HostNetworkSpec Host(IReadOnlyList<TunnelPeer> peers, string vmIface, bool alternateFromVm = false)
    {
        var flows = new List<FlowSpec> { new(DropAll, 0, 0, "", "drop") };
        var outputs = string.Join(",", peers.Select(p => $"output:{p.EffectiveOfPort}"));
        flows.AddRange(alternateFromVm
            ? [new(FromVm, 0, 20, $"arp,in_port={VmOfPort}", $"set_field:5001->tun_id,{outputs}"),
               new(FromVm, 0, 20, $"ip,in_port={VmOfPort}", $"set_field:5001->tun_id,{outputs}")]
            : [new(FromVm, 0, 10, $"in_port={VmOfPort}", $"set_field:5001->tun_id,{outputs}")]);
        foreach (var p in peers) flows.Add(new(FromTunnel, 0, 10, $"in_port={p.EffectiveOfPort},tun_id=5001", $"output:{VmOfPort}"));
        return new HostNetworkSpec("br-int", "netdev", 0x0000_02aa_0000_0001, peers, [new VmPort($"port-{vmIface}", vmIface, VmPortKind.Internal, VmOfPort)], flows);
    }
}
