using System.Diagnostics;

namespace Infra.TestHosts;

/// <summary>
/// One simulated hypervisor: a network namespace holding a private ovsdb-server and ovs-vswitchd
/// (userspace datapath), all state under a temp dir. OVS_RUNDIR is that dir, so the bridges'
/// OpenFlow sockets are {Dir}/{bridge}.mgmt. Processes run in the foreground of `ip netns exec`
/// (which execs), so the PIDs we hold are the daemons' own and teardown kills exactly them.
/// Use <see cref="OvsSandbox"/> to join several hosts by a veth underlay.
/// </summary>
public sealed class OvsHost : IDisposable
{
    private Process? _db, _vswitchd;
    private readonly List<string> _extraNamespaces = [];

    public string Name { get; }
    public string Namespace { get; }
    public string Dir { get; }
    public string DbSocket => Path.Combine(Dir, "db.sock");
    public string DbEndpoint => $"unix:{DbSocket}";
    public string RunDir => Dir;
    public string OpenFlowTarget(string bridge) => $"unix:{Path.Combine(Dir, bridge + ".mgmt")}";

    public OvsHost(string name)
    {
        Name = name;
        Namespace = $"ih-{Cmd.Unique()}-{name}";
        Dir = Directory.CreateTempSubdirectory($"infra-ovs-{name}-").FullName;
        try
        {
            Cmd.Run("ip", "netns", "add", Namespace);
            Cmd.InNs(Namespace, "ip", "link", "set", "lo", "up");
            Cmd.Run("ovsdb-tool", "create", Path.Combine(Dir, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema");
            StartDb();
            Vsctl("--no-wait", "init");
            StartVswitchd();
        }
        catch { Dispose(); throw; }
    }

    public void StartDb()
    {
        _db = Spawn("ovsdb-server", "-vconsole:off", "--no-chdir", $"--log-file={Dir}/db.log", $"--remote=punix:{DbSocket}",
            $"--unixctl={Dir}/db.ctl", Path.Combine(Dir, "conf.db"));
        Cmd.WaitUntil(() => File.Exists(DbSocket), $"ovsdb-server socket {DbSocket} (see {Dir}/db.log)");
    }

    public void StartVswitchd()
    {
        _vswitchd = Spawn("ovs-vswitchd", "-vconsole:off", "--no-chdir", $"--log-file={Dir}/vs.log", $"--unixctl={Dir}/vs.ctl", DbEndpoint);
        Cmd.WaitUntil(() => File.Exists(Path.Combine(Dir, "vs.ctl")), $"ovs-vswitchd control socket (see {Dir}/vs.log)");
    }

    private Process Spawn(string file, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", Namespace, "env", $"OVS_RUNDIR={Dir}", $"OVS_DBDIR={Dir}", file, .. args]) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { }; p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        return p;
    }

    public string Vsctl(params string[] args) => Cmd.Run("ovs-vsctl", [$"--db={DbEndpoint}", "--timeout=20", .. args]);
    public string Appctl(params string[] args) => Cmd.Run("ovs-appctl", ["-t", Path.Combine(Dir, "vs.ctl"), .. args]);
    public string Ofctl(params string[] args) => Cmd.Run("ovs-ofctl", ["-O", "OpenFlow14", .. args]);
    public string Exec(params string[] args) => Cmd.InNs(Namespace, args[0], args[1..]);

    /// <summary>SIGKILL ovs-vswitchd (a crash): its flows are gone, OVSDB keeps the configuration.</summary>
    public void KillVswitchd()
    {
        Kill(ref _vswitchd, null);
        File.Delete(Path.Combine(Dir, "vs.ctl"));
        foreach (var mgmt in Directory.GetFiles(Dir, "*.mgmt")) File.Delete(mgmt); // stale sockets would refuse connections
    }

    /// <summary>SIGKILL ovsdb-server (a crash); StartDb brings it back on the same database.</summary>
    public void KillDb() => Kill(ref _db, DbSocket);

    /// <summary>
    /// Makes a "VM": a namespace that takes over the interface (an OVS internal port already created
    /// on this host, e.g. by the reconciler), with the given address. Returns the namespace name.
    /// </summary>
    public string AttachVm(string interfaceName, string cidr, string? mac = null)
    {
        var ns = $"iv-{Cmd.Unique()}-{interfaceName}";
        Cmd.Run("ip", "netns", "add", ns);
        _extraNamespaces.Add(ns);
        Cmd.WaitUntil(() => Cmd.RunWithExit("ip", ["netns", "exec", Namespace, "ip", "link", "show", interfaceName]).Exit == 0, $"interface {interfaceName} on {Name}");
        Exec("ip", "link", "set", interfaceName, "netns", ns);
        Cmd.InNs(ns, "ip", "link", "set", "lo", "up");
        if (mac is not null) Cmd.InNs(ns, "ip", "link", "set", interfaceName, "address", mac);
        Cmd.InNs(ns, "ip", "addr", "add", cidr, "dev", interfaceName);
        Cmd.InNs(ns, "ip", "link", "set", interfaceName, "up");
        return ns;
    }

    private static void Kill(ref Process? p, string? socket)
    {
        if (p is null) return;
        try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
        p.Dispose();
        p = null;
        if (socket is not null) File.Delete(socket);
    }

    public void Dispose()
    {
        Kill(ref _vswitchd, null);
        Kill(ref _db, DbSocket);
        foreach (var ns in _extraNamespaces) Cmd.RunWithExit("ip", ["netns", "del", ns]);
        Cmd.RunWithExit("ip", ["netns", "del", Namespace]);
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
