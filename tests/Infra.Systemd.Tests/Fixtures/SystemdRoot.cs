using System.Diagnostics;
using Infra.Systemd.Manager;

namespace Infra.Systemd.Tests.Fixtures;

/// <summary>
/// Real systemd booted as PID 1 of a PID namespace, in an overlay of the cached Debian root (so runs
/// never change the cache and can run side by side), with its own cgroup subtree (see
/// <see cref="CgroupSandbox"/>). Tests talk to it from the host through the root's system bus socket
/// with our systemd client (Tmds.DBus.Protocol underneath): both sides are uid 0 in the same user namespace, so SASL EXTERNAL
/// passes across the PID namespace. Dispose kills init by PID (the kernel then kills the whole PID
/// namespace), unmounts in reverse order and removes the cgroups and the temp directory — also after
/// a failed boot. Needs root.
/// </summary>
public sealed class SystemdRoot : IDisposable
{
    readonly string _dir;
    readonly List<string> _mounts = new();
    readonly CgroupSandbox _cgroups;
    Process? _unshare;

    public string RootPath { get; }
    public int InitPid { get; private set; }
    public string BusAddress => UnixAddress(Path.Combine(RootPath, "run/dbus/system_bus_socket"));
    public TimeSpan BuildTime { get; private set; }
    public TimeSpan BootTime { get; private set; }
    public string LogPath => Path.Combine(_dir, "systemd.log");

    /// <summary>Host directories to show inside the root read-only, e.g. the .NET runtime and a test helper.</summary>
    public SystemdRoot(IEnumerable<(string HostPath, string PathInRoot)>? binds = null)
    {
        var id = "infra-sdroot-" + Guid.NewGuid().ToString("N")[..10];
        _dir = Path.Combine(Path.GetTempPath(), id);
        RootPath = Path.Combine(_dir, "root");
        _cgroups = new CgroupSandbox(id);
        try
        {
            BuildTime = RootImage.EnsureBuilt();
            var sw = Stopwatch.StartNew();
            Boot(binds ?? []);
            WaitUntilRunning(TimeSpan.FromSeconds(120));
            BootTime = sw.Elapsed;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    void Boot(IEnumerable<(string HostPath, string PathInRoot)> binds)
    {
        foreach (var d in new[] { "upper", "work", "root" }) Directory.CreateDirectory(Path.Combine(_dir, d));
        Mount("-t", "overlay", "overlay", "-o",
            $"lowerdir={RootImage.Path},upperdir={Path.Combine(_dir, "upper")},workdir={Path.Combine(_dir, "work")}", RootPath);
        // No consoles here: gettys would wait 90 s for tty devices that never appear.
        foreach (var unit in new[] { "serial-getty@.service", "getty@.service", "console-getty.service", "getty.target" })
            File.CreateSymbolicLink(Path.Combine(RootPath, "etc/systemd/system", unit), "/dev/null");
        Mount("-t", "proc", "proc", In("proc"));
        Mount("-t", "sysfs", "sysfs", In("sys"));
        var procs = _cgroups.Create();
        _cgroups.MountInto(RootPath, args => Mount(args));
        Mount("-t", "tmpfs", "-o", "mode=755", "tmpfs", In("run"));
        Mount("-t", "tmpfs", "tmpfs", In("tmp"));
        Mount("--rbind", "/dev", In("dev"));
        foreach (var (host, inside) in binds)
        {
            var target = In(inside.TrimStart('/'));
            Directory.CreateDirectory(target);
            Mount("--bind", host, target);
            Mount("-o", "remount,bind,ro", target);
        }

        // sh moves itself into our cgroups, then becomes unshare, whose child becomes init.
        // --mount-proc: the root's /proc must be the new PID namespace's. The host's procfs mounted
        // above would show host PIDs, so a service reading /proc/<pid> for a PID from a pidfile
        // (qemu writes its own, namespace, PID) finds nothing or the wrong process.
        const string script = "root=$1; log=$2; shift 2; for f in \"$@\"; do echo $$ > \"$f\" || exit 97; done; " +
            "exec unshare --cgroup --pid --fork --mount --uts --mount-proc=\"$root/proc\" chroot \"$root\" /lib/systemd/systemd --system >\"$log\" 2>&1";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", script, "sh", RootPath, LogPath }.Concat(procs)) psi.ArgumentList.Add(a);
        _unshare = Process.Start(psi) ?? throw new InvalidOperationException("could not start unshare");
        for (int i = 0; i < 200 && InitPid == 0; i++)
        {
            if (_unshare.HasExited) throw new InvalidOperationException($"unshare exited with {_unshare.ExitCode} before systemd started: {ReadLog()}");
            InitPid = ChildOf(_unshare.Id);
            if (InitPid == 0) Thread.Sleep(50);
        }
        if (InitPid == 0) throw new InvalidOperationException("systemd did not start within 10 s");
    }

    /// <summary>Waits for the bus socket, then for Manager.SystemState to leave "initializing"/"starting".</summary>
    void WaitUntilRunning(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        string state = "no bus";
        while (DateTime.UtcNow < deadline)
        {
            if (_unshare!.HasExited) throw new InvalidOperationException($"systemd exited while booting: {ReadLog()}");
            if (File.Exists(Path.Combine(RootPath, "run/dbus/system_bus_socket")))
            {
                try
                {
                    state = Task.Run(async () =>
                    {
                        await using var m = await SystemdManager.ConnectAsync(new SystemdManagerOptions { Address = BusAddress, CallTimeout = TimeSpan.FromSeconds(5) });
                        return (string)await m.GetPropertyAsync(SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "SystemState");
                    }).GetAwaiter().GetResult();
                    if (state is "running" or "degraded") return;
                }
                catch (Exception e) when (e is Tmds.DBus.Protocol.DBusConnectionException or SystemdErrorException or TimeoutException) { state = e.Message; }
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"systemd in {RootPath} did not reach running within {limit} (last: {state}); log: {ReadLog()}");
    }

    /// <summary>Host path of a unit's cgroup in the hierarchy of <paramref name="controller"/> ("cpu", "memory").</summary>
    public string HostCgroupPath(string controller, string controlGroup) => _cgroups.HostPath(controller, controlGroup);

    /// <summary>The CFS quota the kernel enforces for a unit: (quota µs or null for "max", period µs), from cpu.max or v1 files.</summary>
    public (long? QuotaUs, long PeriodUs) ReadCpuQuota(string controlGroup)
    {
        var dir = HostCgroupPath("cpu", controlGroup);
        var max = Path.Combine(dir, "cpu.max");
        if (File.Exists(max))
        {
            var parts = File.ReadAllText(max).Trim().Split(' ');
            return (parts[0] == "max" ? null : long.Parse(parts[0]), long.Parse(parts[1]));
        }
        long quota = long.Parse(File.ReadAllText(Path.Combine(dir, "cpu.cfs_quota_us")).Trim());
        long period = long.Parse(File.ReadAllText(Path.Combine(dir, "cpu.cfs_period_us")).Trim());
        return (quota < 0 ? null : quota, period);
    }

    /// <summary>Runs a command inside the booted root's namespaces (like `machinectl shell`).</summary>
    public string Exec(params string[] command) =>
        Cmd.Run("nsenter", new[] { "-t", InitPid.ToString(), "-m", "-p", "-r", "-w" }.Concat(command).ToArray());

    string In(string relative) => Path.Combine(RootPath, relative);

    /// <summary>A D-Bus unix:path= address; bytes outside the spec's unescaped set are %-escaped.</summary>
    public static string UnixAddress(string path) => "unix:path=" + string.Concat(System.Text.Encoding.UTF8.GetBytes(path)
        .Select(b => char.IsAsciiLetterOrDigit((char)b) || "-_/.\\*".Contains((char)b) ? ((char)b).ToString() : $"%{b:x2}"));

    void Mount(params string[] args)
    {
        Cmd.Run("mount", args);
        var target = args[^1];
        if (!_mounts.Contains(target)) _mounts.Add(target);
    }

    string ReadLog()
    {
        try { var s = File.ReadAllText(LogPath); return s.Length > 3000 ? s[^3000..] : s; }
        catch (IOException) { return "(no log)"; }
    }

    static int ChildOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == parent) return pid;
            }
            catch (IOException) { }
        }
        return 0;
    }

    public void Dispose()
    {
        if (InitPid > 0)
        {
            try { Process.GetProcessById(InitPid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        if (_unshare is not null)
        {
            if (!_unshare.WaitForExit(10_000)) { try { _unshare.Kill(); } catch (InvalidOperationException) { } }
            _unshare.Dispose();
        }
        // Reverse order, lazily: a busy submount (e.g. under the rbound /dev) must not block the rest.
        foreach (var m in Enumerable.Reverse(_mounts))
            try { Cmd.Run("umount", "-l", m); } catch (InvalidOperationException) { }
        _cgroups.Remove();
        // Never rm -rf while anything is still mounted below: that would delete through to the host.
        var stillMounted = File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4].StartsWith(_dir + "/", StringComparison.Ordinal));
        if (!stillMounted && Directory.Exists(_dir))
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
