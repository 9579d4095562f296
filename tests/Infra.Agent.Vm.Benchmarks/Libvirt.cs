using System.Diagnostics;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// libvirt for comparison, run as children of this process: libvirtd as root is always the
/// privileged (qemu:///system) driver, so it gets a private libvirtd.conf whose control socket lives
/// in a temp dir (nobody else can reach it), plus the virtlogd it needs for qemu's stdio (the
/// system driver's log socket path is fixed: /run/libvirt/virtlogd-sock). Each start is `virsh create` of a domain equivalent to the agent's (q35, TCG, 1 vCPU,
/// 64 MiB, no disks); virsh returns once the domain runs.
/// </summary>
internal sealed class Libvirt : IAsyncDisposable
{
    private readonly string _dir;
    private readonly Process _daemon;
    private readonly Process _logd;
    private readonly string _uri;

    private Libvirt(string dir, Process daemon, Process logd, string uri) { _dir = dir; _daemon = daemon; _logd = logd; _uri = uri; }

    public int DaemonPid => _daemon.Id;

    /// <summary>Null with the reason when libvirt cannot run here.</summary>
    public static async Task<(Libvirt? L, string? Why)> TryStartAsync(string dir)
    {
        if (!File.Exists("/usr/sbin/libvirtd") || !File.Exists("/usr/bin/virsh"))
            return (null, "libvirtd/virsh are not installed (apt-get install libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu)");
        var sock = Path.Combine(dir, "sock");
        Directory.CreateDirectory(sock);
        var conf = Path.Combine(dir, "libvirtd.conf");
        File.WriteAllText(conf, $"unix_sock_dir = \"{sock}\"\nlisten_tls = 0\nlisten_tcp = 0\n");
        var logd = Start("/usr/sbin/virtlogd");
        var p = Start("/usr/sbin/libvirtd", "-f", conf);
        var l = new Libvirt(dir, p, logd, $"qemu:///system?socket={sock}/libvirt-sock");
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

    private static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    public async Task<(int Rc, string Out, string Err)> VirshAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/virsh") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-c", _uri, .. args]) psi.ArgumentList.Add(a);
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
        foreach (var p in new[] { _daemon, _logd })
        {
            if (!p.HasExited) { p.Kill(); await p.WaitForExitAsync(); }
            p.Dispose();
        }
    }
}
