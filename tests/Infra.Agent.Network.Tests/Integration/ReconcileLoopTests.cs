using Infra.Agent.Network.Model;
using Infra.TestHosts;

namespace Infra.Agent.Network.Tests.Integration;

public sealed class ReconcileLoopTests : IDisposable
{
    private readonly OvsHost _host = new("lp");

    [Fact]
    public async Task Loop_RepairsAPortDeletedByHand_WithoutBeingAsked()
    {
        var peer = new TunnelPeer("host-b", "192.0.2.2");
        await using var agent = await Agent.StartAsync(_host);
        await using var loop = new NetworkReconcileLoop(agent.Reconciler, TimeSpan.FromMinutes(10)) { RetryDelay = TimeSpan.FromMilliseconds(200) };
        var passes = 0;
        Exception? failure = null;
        loop.Applied += (_, ex) => { Interlocked.Increment(ref passes); failure ??= ex; };
        loop.Start();
        loop.SetDesired(Specs.Host([peer], "vm1"));
        Cmd.WaitUntil(() => HasPort(peer.PortName), "first pass creates the tunnel", 20000);

        _host.Vsctl("del-port", "br-int", peer.PortName);
        // The port can show up before the pass that made it has raised Applied: wait for both.
        Cmd.WaitUntil(() => HasPort(peer.PortName) && Volatile.Read(ref passes) >= 2, "the loop re-creates the deleted port", 20000);
        Assert.Null(failure);
        Assert.InRange(Volatile.Read(ref passes), 2, 1000);
    }

    private bool HasPort(string name)
    {
        var (exit, output, _) = Cmd.RunWithExit("ovs-vsctl", [$"--db={_host.DbEndpoint}", "list-ports", "br-int"]);
        return exit == 0 && output.Split('\n').Contains(name);
    }

    public void Dispose() => _host.Dispose();
}
