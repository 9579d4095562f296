using System.Diagnostics;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// libvirt for comparison, run privately: libvirtd in session mode as a child of this process with
/// HOME and the XDG directories in a temp dir (its sockets, config and domain state stay there,
/// nothing of the host's libvirt is touched), qemu's stdio to files (no virtlogd) and no security
/// driver. Each start is `virsh create` of a domain equivalent to the agent's (q35, TCG, 1 vCPU,
/// 64 MiB, no disks); virsh returns once the domain runs.
/// </summary>
internal sealed class Libvirt : IAsyncDisposable
{
    private readonly string _dir;
    private readonly Process _daemon;
    private readonly Dictionary<string, string> _env;

    private Libvirt(string dir, Process daemon, Dictionary<string, string> env) { _dir = dir; _daemon = daemon; _env = env; }

    public int DaemonPid => _daemon.Id;

    /// <summary>Null with the reason when libvirt cannot run here.</summary>
    public static async Task<(Libvirt? L, string? Why)> TryStartAsync(string dir)
    {
        if (!File.Exists("/usr/sbin/libvirtd") || !File.Exists("/usr/bin/virsh"))
            return (null, "libvirtd/virsh are not installed (apt-get install libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu)");
        Directory.CreateDirectory(Path.Combine(dir, "config/libvirt"));
        File.WriteAllText(Path.Combine(dir, "config/libvirt/qemu.conf"), "stdio_handler = \"file\"\nsecurity_driver = \"none\"\n");
        var env = new Dictionary<string, string>
        {
            ["HOME"] = dir, ["XDG_CONFIG_HOME"] = Path.Combine(dir, "config"), ["XDG_CACHE_HOME"] = Path.Combine(dir, "cache"),
            ["XDG_RUNTIME_DIR"] = Path.Combine(dir, "run"), ["XDG_DATA_HOME"] = Path.Combine(dir, "data"),
        };
        Directory.CreateDirectory(env["XDG_RUNTIME_DIR"]);
        var psi = new ProcessStartInfo("/usr/sbin/libvirtd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var l = new Libvirt(dir, p, env);
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            if (p.HasExited) return (null, $"libvirtd exited with {p.ExitCode}: {stderr}");
            var (rc, _, _) = await l.VirshAsync("version");
            if (rc == 0) return (l, null);
            await Task.Delay(100);
        }
        await l.DisposeAsync();
        return (null, $"libvirtd did not answer within 10 s: {stderr}");
    }

    public async Task<(int Rc, string Out, string Err)> VirshAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/virsh") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        foreach (var a in (string[])["-c", "qemu:///session", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }

    /// <summary>virsh create of a small TCG domain; returns the wall time until virsh returned (domain running).</summary>
    public async Task<TimeSpan> CreateAsync(string name)
    {
        var xml = Path.Combine(_dir, name + ".xml");
        File.WriteAllText(xml, $"""
            <domain type='qemu'>
              <name>{name}</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='q35'>hvm</type></os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <memballoon model='none'/>
              </devices>
            </domain>
            """);
        var sw = Stopwatch.StartNew();
        var (rc, _, err) = await VirshAsync("create", xml);
        if (rc != 0) throw new InvalidOperationException($"virsh create {name} failed: {err.Trim()}");
        return sw.Elapsed;
    }

    public Task DestroyAsync(string name) => VirshAsync("destroy", name);

    public async ValueTask DisposeAsync()
    {
        if (!_daemon.HasExited)
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
        }
        _daemon.Dispose();
    }
}
