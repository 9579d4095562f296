using System.Diagnostics;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// A Linux "guest" behind a VM port's tap, for DHCP clients that a busybox guest does not have
/// (ISC dhclient): socat holds the agent-made tap (the end qemu would open) and relays its frames
/// to a veth whose peer is in a namespace made for the test, with the MAC the client should use.
/// Dispose stops socat and every client by PID and deletes the namespace (which takes the veth).
/// </summary>
public sealed class TapClient : IDisposable
{
    readonly List<Process> _processes = [];
    public string Namespace { get; }
    public string Interface { get; }
    public string Dir { get; }

    TapClient(string ns, string iface, string dir) => (Namespace, Interface, Dir) = (ns, iface, dir);

    public static TapClient Attach(OvsHost host, string tap, string mac)
    {
        var tag = Cmd.Unique();
        var c = new TapClient($"itc-{tag}", $"vb-{tag}", Directory.CreateTempSubdirectory("infra-tapclient-").FullName);
        try
        {
            Cmd.Run("ip", "netns", "add", c.Namespace);
            var relay = $"va-{tag}";
            host.Exec("ip", "link", "add", relay, "type", "veth", "peer", "name", c.Interface, "netns", c.Namespace);
            host.Exec("ip", "link", "set", relay, "promisc", "on", "up");
            Cmd.InNs(c.Namespace, "ip", "link", "set", c.Interface, "address", mac);
            Cmd.InNs(c.Namespace, "ip", "link", "set", c.Interface, "up");
            c.Start("ip", "netns", "exec", host.Namespace, "socat", $"TUN,tun-type=tap,tun-name={tap},iff-no-pi,iff-up", $"INTERFACE:{relay}");
            return c;
        }
        catch { c.Dispose(); throw; }
    }

    /// <summary>Changes the client's MAC (a guest spoofing another address).</summary>
    public void SetMac(string mac)
    {
        Cmd.InNs(Namespace, "ip", "link", "set", Interface, "down");
        Cmd.InNs(Namespace, "ip", "link", "set", Interface, "address", mac);
        Cmd.InNs(Namespace, "ip", "link", "set", Interface, "up");
    }

    /// <summary>Runs a program in the client namespace and keeps its PID for Dispose.</summary>
    public Process StartInClient(params string[] args) => Start(["ip", "netns", "exec", Namespace, .. args]);

    Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args[1..]) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        Cmd.RunWithExit("ip", ["netns", "del", Namespace]);
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
