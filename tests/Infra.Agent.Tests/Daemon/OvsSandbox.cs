using System.Diagnostics;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// A private ovsdb-server + ovs-vswitchd (userspace datapath) inside a network namespace made for
/// the test, so bridges and ports never touch the host's. Dispose stops both by PID and deletes the
/// namespace and directory.
/// </summary>
public sealed class OvsSandbox : IAsyncDisposable
{
    private OvsSandbox(string dir, string netns) => (Dir, Netns) = (dir, netns);

    public string Dir { get; }
    public string Netns { get; }
    public string DbSocket => Path.Combine(Dir, "db.sock");

    public static async Task<OvsSandbox> StartAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var s = new OvsSandbox(Directory.CreateTempSubdirectory("ia-ovs-").FullName, "ia-" + tag);
        try
        {
            await Run("ip", "netns", "add", s.Netns);
            await Run("ovsdb-tool", "create", Path.Combine(s.Dir, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema");
            await Run("ip", "netns", "exec", s.Netns, "ovsdb-server", "-vconsole:off", "--detach", "--no-chdir", $"--pidfile={s.Dir}/db.pid", $"--log-file={s.Dir}/db.log",
                $"--remote=punix:{s.DbSocket}", $"--unixctl={s.Dir}/db.ctl", $"{s.Dir}/conf.db");
            await Run("ovs-vsctl", $"--db=unix:{s.DbSocket}", "--no-wait", "init");
            await Run("ip", "netns", "exec", s.Netns, "env", $"OVS_RUNDIR={s.Dir}", "ovs-vswitchd", "-vconsole:off", "--detach", "--no-chdir", $"--pidfile={s.Dir}/vs.pid",
                $"--log-file={s.Dir}/vs.log", $"--unixctl={s.Dir}/vs.ctl", $"unix:{s.DbSocket}");
            return s;
        }
        catch { await s.DisposeAsync(); throw; }
    }

    public Task<string> VsctlAsync(params string[] args) => Run("ovs-vsctl", [$"--db=unix:{DbSocket}", .. args]);
    public Task<string> OfctlAsync(params string[] args) => Run("ovs-ofctl", [.. args]);
    public string Mgmt(string bridge) => $"unix:{Path.Combine(Dir, bridge + ".mgmt")}";

    public static async Task<string> Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await e}");
        return await o;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pidFile in new[] { "vs.pid", "db.pid" })
        {
            var path = Path.Combine(Dir, pidFile);
            if (!File.Exists(path) || !int.TryParse(File.ReadAllText(path).Trim(), out var pid)) continue;
            Compute.Runners.ProcessInspector.Signal(pid, 15);
            for (var i = 0; i < 200 && Compute.Runners.ProcessInspector.IsAlive(pid); i++) await Task.Delay(25);
            Compute.Runners.ProcessInspector.Signal(pid, 9);
        }
        try { await Run("ip", "netns", "delete", Netns); } catch (Exception) { }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
