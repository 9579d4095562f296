namespace Infra.TestHosts;

/// <summary>
/// N simulated hosts on one underlay: host i gets 192.0.2.(i+1)/24 on a netdev bridge "br-phy"
/// whose uplink is a veth into a shared underlay namespace with a Linux bridge. GRE between any two
/// hosts then works as on real machines (the recipe ovs-gre-two-hosts.sh shows the two-host case).
/// Overlay bridges (br-int) are left to the code under test.
/// </summary>
public sealed class OvsSandbox : IDisposable
{
    private readonly string _underlayNs = $"iu-{Cmd.Unique()}";
    public IReadOnlyList<OvsHost> Hosts { get; }

    public static string UnderlayIp(int index) => $"192.0.2.{index + 1}";

    public OvsSandbox(int hostCount)
    {
        var hosts = new List<OvsHost>();
        Hosts = hosts;
        try
        {
            Cmd.Run("ip", "netns", "add", _underlayNs);
            Cmd.InNs(_underlayNs, "ip", "link", "add", "ul", "type", "bridge");
            Cmd.InNs(_underlayNs, "ip", "link", "set", "ul", "up");
            for (var i = 0; i < hostCount; i++)
            {
                var h = new OvsHost($"h{i + 1}");
                hosts.Add(h);
                var (a, b) = ($"ia{Cmd.Unique()}", $"ib{Cmd.Unique()}");
                Cmd.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
                Cmd.Run("ip", "link", "set", a, "netns", h.Namespace);
                Cmd.Run("ip", "link", "set", b, "netns", _underlayNs);
                Cmd.InNs(_underlayNs, "ip", "link", "set", b, "master", "ul");
                Cmd.InNs(_underlayNs, "ip", "link", "set", b, "up");
                h.Exec("ip", "link", "set", a, "up");
                h.Vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "--", "add-port", "br-phy", a);
                h.Exec("ip", "addr", "add", $"{UnderlayIp(i)}/24", "dev", "br-phy");
                h.Exec("ip", "link", "set", "br-phy", "up");
                h.Appctl("ovs/route/add", "192.0.2.0/24", "br-phy");
            }
        }
        catch { Dispose(); throw; }
    }

    public void Dispose()
    {
        foreach (var h in Hosts) h.Dispose();
        Cmd.RunWithExit("ip", ["netns", "del", _underlayNs]);
    }
}
