using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// The hosts' physical network, as OvsSandbox lays it out for the SDN tests but for two clouds' hosts
/// joined directly: each host's underlay address sits on a netdev bridge br-phy (the userspace
/// datapath sends GRE only out of its own bridges, routed by its own table), and a veth pair is the
/// cable between two hosts' br-phy. The controller's gRPC and the agents' GRE both cross it. The veth
/// goes away with either namespace.
/// </summary>
public static class Underlay
{
    public const string Prefix = "192.168.77";
    public static string Ip(int host) => $"{Prefix}.{host}";

    /// <summary>br-phy with <paramref name="ip"/>/24 on it, and OVS's tunnel route to the underlay through it.</summary>
    public static void AddBridge(OvsHost h, string ip)
    {
        h.Vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev");
        h.Exec("ip", "addr", "add", $"{ip}/24", "dev", "br-phy");
        h.Exec("ip", "link", "set", "br-phy", "up");
        h.Appctl("ovs/route/add", $"{Prefix}.0/24", "br-phy");
    }

    /// <summary>A veth pair, one end a port of each host's br-phy.</summary>
    public static void Link(OvsHost a, OvsHost b)
    {
        var (ea, eb) = ($"ua{Cmd.Unique()}", $"ub{Cmd.Unique()}");
        Cmd.Run("ip", "link", "add", ea, "netns", a.Namespace, "type", "veth", "peer", "name", eb, "netns", b.Namespace);
        foreach (var (h, e) in new[] { (a, ea), (b, eb) })
        {
            h.Exec("ip", "link", "set", e, "up");
            h.Vsctl("add-port", "br-phy", e);
        }
    }

    /// <summary>
    /// The userspace datapath drops a GRE packet whose underlay next hop it has not resolved (it sends an
    /// ARP instead); a ping each way fills both hosts' tunnel neighbour caches, as SdnCluster does.
    /// </summary>
    public static void Warm(OvsHost a, string aIp, OvsHost b, string bIp)
    {
        Cmd.RunWithExit("ip", ["netns", "exec", a.Namespace, "ping", "-c", "1", "-W", "2", bIp], timeoutMs: 10000);
        Cmd.RunWithExit("ip", ["netns", "exec", b.Namespace, "ping", "-c", "1", "-W", "2", aIp], timeoutMs: 10000);
    }
}
