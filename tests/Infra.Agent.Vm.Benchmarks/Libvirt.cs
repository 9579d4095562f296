using System.Diagnostics;

namespace Infra.Agent.Vm.Benchmarks;

/// <summary>
/// libvirt for comparison: libvirtd 9.0 (the monolithic daemon Debian 12 runs) with its virtlogd,
/// both in <see cref="LibvirtSandbox"/>'s private mount and network namespace, started and ended by
/// this process. As root it is the privileged (qemu:///system) driver, reached through a control
/// socket in the benchmark's temp dir. Each start is <c>virsh create</c> of a domain equivalent to
/// the agent's (see <see cref="DomainXml"/>); virsh returns once libvirt has sent "cont" and qemu
/// runs, so the time includes virsh's own process start and connect (measured separately).
/// </summary>
internal sealed class Libvirt : IAsyncDisposable
{
    private readonly string _dir;
    private readonly Process _daemon;
    private readonly string _uri;

    private readonly string[] _machineCgroupsBefore;

    private Libvirt(string dir, Process daemon, string uri, string[] machineCgroupsBefore) =>
        (_dir, _daemon, _uri, _machineCgroupsBefore) = (dir, daemon, uri, machineCgroupsBefore);

    // cgroup v1: one "machine" per controller hierarchy; v2: /sys/fs/cgroup/machine.
    private static string[] MachineCgroups() => Directory.Exists("/sys/fs/cgroup")
        ? [.. Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup").Select(c => Path.Combine(c, "machine")).Where(Directory.Exists)]
        : [];

    /// <summary>The apt packages this needs.</summary>
    public const string Packages = "libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu";

    /// <summary>libvirtd's PID (from its pidfile; the process started here is the sandbox shell).</summary>
    public int? DaemonPid =>
        int.TryParse(ReadOrEmpty(Path.Combine(_dir, "libvirtd.pid")).Trim(), out var pid)
        && Infra.Agent.Compute.Runners.ProcessInspector.IsAlive(pid) ? pid : null;

    /// <summary>Null with the reason when libvirt cannot run here.</summary>
    public static async Task<(Libvirt? L, string? Why)> TryStartAsync(string dir)
    {
        if (!Installed() && await InstallAsync() is { } failed) return (null, failed);
        var sock = Path.Combine(dir, "sock");
        Directory.CreateDirectory(sock);
        Directory.CreateDirectory(Path.Combine(dir, "vm"));
        File.WriteAllText(Path.Combine(dir, "libvirtd.conf"),
            $"unix_sock_dir = \"{sock}\"\nlisten_tls = 0\nlisten_tcp = 0\nlog_outputs = \"3:file:{dir}/libvirtd.log\"\n");
        // unshare execs sh, which stays as the parent of virtlogd and libvirtd so that it reaps them.
        var psi = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["--mount", "--net", "/bin/sh", "-c", LibvirtSandbox.Script, "infra-bench-libvirt", dir]) psi.ArgumentList.Add(a);
        var before = MachineCgroups();
        var p = Process.Start(psi)!;
        var l = new Libvirt(dir, p, $"qemu:///system?socket={sock}/libvirt-sock", before);
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.OutputDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        // At its start libvirtd probes every installed qemu-system-* binary once (a few s each with TCG).
        for (var i = 0; i < 600; i++)
        {
            if (p.HasExited) { await l.DisposeAsync(); return (null, $"libvirtd exited with {p.ExitCode}: {stderr}"); }
            var (rc, _, _) = await l.VirshAsync("version");
            if (rc == 0) return (l, null);
            await Task.Delay(200);
        }
        await l.DisposeAsync();
        return (null, $"libvirtd did not answer within 120 s: {stderr}");
    }

    private static bool Installed() =>
        File.Exists("/usr/sbin/libvirtd") && File.Exists("/usr/bin/virsh") && File.Exists("/usr/sbin/virtlogd");

    /// <summary>
    /// The benchmark's own setup: apt-get installs libvirt when it is missing (not on
    /// INFRA_BENCH_NO_APT=1). On a host booted with systemd the packages' scripts also enable and
    /// start the system's libvirtd and its default network; this benchmark uses neither.
    /// </summary>
    private static async Task<string?> InstallAsync()
    {
        if (Environment.GetEnvironmentVariable("INFRA_BENCH_NO_APT") == "1")
            return $"libvirtd/virtlogd/virsh are not installed and INFRA_BENCH_NO_APT=1 (apt-get install {Packages})";
        var psi = new ProcessStartInfo("apt-get") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var a in (string[])["install", "-y", "-q", "--no-install-recommends", .. Packages.Split(' ')]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { p.Kill(true); return $"apt-get install {Packages} did not finish within 10 min"; }
        await o;
        return p.ExitCode == 0 && Installed() ? null : $"apt-get install {Packages} failed ({p.ExitCode}): {(await e).Trim()}";
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

    /// <summary>virsh's own cost: process start, connect, one trivial call.</summary>
    public async Task<TimeSpan> VirshRoundTripAsync()
    {
        var sw = Stopwatch.StartNew();
        var (rc, _, err) = await VirshAsync("version");
        if (rc != 0) throw new InvalidOperationException($"virsh version failed: {err.Trim()}");
        return sw.Elapsed;
    }

    /// <summary>virsh create of <see cref="DomainXml"/>; returns the wall time until virsh returned (domain running).</summary>
    public async Task<TimeSpan> CreateAsync(string name)
    {
        var xml = Path.Combine(_dir, name + ".xml");
        File.WriteAllText(xml, DomainXml(name, Path.Combine(_dir, "vm")));
        var sw = Stopwatch.StartNew();
        var (rc, _, err) = await VirshAsync("create", xml);
        if (rc != 0) throw new InvalidOperationException($"virsh create {name} failed: {err.Trim()}");
        return sw.Elapsed;
    }

    /// <summary>
    /// The agent's VM in libvirt's words: q35 with ACPI, TCG, 1 vCPU, 64 MiB of shared memfd RAM,
    /// serial console to a file, a virtio-serial port for the guest agent on a unix socket, no
    /// disks, NICs, USB, balloon or display. libvirt still adds what it always adds (a pcie-root-port
    /// per PCI device and spares, -sandbox, a master key secret, -no-shutdown).
    /// </summary>
    public static string DomainXml(string name, string vmDir) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <memory unit='MiB'>64</memory>
          <vcpu>1</vcpu>
          <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          <features><acpi/></features>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <controller type='usb' model='none'/>
            <controller type='virtio-serial' index='0'/>
            <serial type='file'><source path='{vmDir}/{name}.serial'/><target port='0'/></serial>
            <channel type='unix'><source mode='bind' path='{vmDir}/{name}.qga'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
            <memballoon model='none'/>
          </devices>
        </domain>
        """;

    public Task DestroyAsync(string name) => VirshAsync("destroy", name);

    /// <summary>
    /// Destroys what runs, then stops libvirtd (SIGTERM, SIGKILL after 15 s); the sandbox shell
    /// then stops virtlogd, reaps both and exits, and the namespaces go with them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_daemon.HasExited)
        {
            var (rc, names, _) = await VirshAsync("list", "--name");
            if (rc == 0) foreach (var n in names.Split('\n', StringSplitOptions.RemoveEmptyEntries)) await DestroyAsync(n.Trim());
            if (DaemonPid is { } lv) Infra.Agent.Compute.Runners.ProcessInspector.Signal(lv, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _daemon.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _daemon.Kill(entireProcessTree: true); await _daemon.WaitForExitAsync(); }
        }
        _daemon.Dispose();
        // libvirt removes each domain's cgroup at destroy; the "machine" parents it made are ours to remove.
        foreach (var m in MachineCgroups().Except(_machineCgroupsBefore)) try { Directory.Delete(m); } catch (IOException) { }
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
