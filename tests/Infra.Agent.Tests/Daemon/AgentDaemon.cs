using System.Diagnostics;
using Infra.Agent.Compute.Cgroups;
using Infra.Agent.Compute.Model;
using Infra.Agent.Compute.Runners;

namespace Infra.Agent.Tests.Daemon;

/// <summary>
/// The real infra-agent process (the build output dll run with `dotnet`), over a private state dir,
/// with the supervised-child runner, TCG and no OVS. Dispose kills the agent and every qemu it left
/// by PID, removes the VM cgroups and the state dir.
/// </summary>
public sealed class AgentDaemon : IAsyncDisposable
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];
    private Process? _process;
    private int _runs;

    /// <param name="controllerYaml">The whole controller mapping (several urls, a token file); default {url: controllerUrl}.</param>
    public AgentDaemon(string controllerUrl, string? network = null, string? extraYaml = null, string? controllerYaml = null)
    {
        // Short: qmp sockets below it must fit in 108 bytes.
        StateDir = Path.Combine("/tmp", "ia-" + _tag);
        HookDir = Directory.CreateTempSubdirectory("infra-agent-hooks-").FullName;
        Directory.CreateDirectory(StateDir);
        ConfigPath = Path.Combine(HookDir, "agent.yaml");
        File.WriteAllText(ConfigPath, $"""
            controller: {controllerYaml ?? $"{{url: '{controllerUrl}'}}"}
            host_id: test-host-{_tag}
            state_dir: {StateDir}
            tunnel_ip: 127.0.0.1
            network: {network ?? "{enabled: false}"}
            compute: {"{"}runner: supervised, allow_tcg: true, force_tcg: true, mhz_per_core: 2000, nest_cgroups: true, cgroup_parent: ia-{_tag}{"}"}
            reconcile_interval_seconds: 1
            status_interval_seconds: 0.3
            log_level: debug
            {extraYaml ?? ""}
            """);
    }

    public string StateDir { get; }
    public string HookDir { get; }
    public string ConfigPath { get; }
    public int Pid => _process?.Id ?? 0;
    public CgroupTree Cgroups => new() { Parent = $"ia-{_tag}", NestUnderOwnCgroup = true };

    public static string DllPath()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !Directory.Exists(Path.Combine(d.FullName, "agent", "Infra.Agent"))) d = d.Parent;
        var config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dll = Path.Combine(d?.FullName ?? throw new DirectoryNotFoundException("repo root"), "agent", "Infra.Agent", "bin", config, "net10.0", "infra-agent.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build agent/Infra.Agent first", dll);
    }

    /// <summary>Starts the agent; <paramref name="pauseAt"/> makes it stop at a named test hook.</summary>
    public void Start(string? pauseAt = null, IReadOnlyDictionary<string, string>? env = null)
    {
        foreach (var f in Directory.GetFiles(HookDir, "*.reached")) File.Delete(f);
        var log = Path.Combine(HookDir, $"agent-{++_runs}.log");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(DllPath());
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(ConfigPath);
        psi.Environment["INFRA_AGENT_TEST_HOOK_DIR"] = HookDir;
        if (pauseAt is not null) psi.Environment["INFRA_AGENT_TEST_PAUSE_AT"] = pauseAt;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var writer = new StreamWriter(log) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine("stderr: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
    }

    /// <summary>SIGKILL: no chance to clean anything up.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } p) return;
        p.Kill();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>SIGTERM, then the exit code (bounded wait).</summary>
    public async Task<int> TerminateAsync()
    {
        var p = _process!;
        Compute.Runners.ProcessInspector.Signal(p.Id, 15);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return p.ExitCode;
    }

    public async Task WaitHookAsync(string point, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(Path.Combine(HookDir, point + ".reached")))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the agent did not reach {point}; log: {Log()}");
            if (!IsRunning) throw new InvalidOperationException($"the agent exited ({_process!.ExitCode}); log: {Log()}");
            await Task.Delay(25);
        }
    }

    public string Log() => string.Join("\n", Directory.GetFiles(HookDir, "agent-*.log").Order().Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } }));

    /// <summary>qemu's PID for a VM from its pidfile, when that process is really this VM's qemu.</summary>
    public int? QemuPid(string vmId)
    {
        var paths = VmPaths.For(Path.Combine(StateDir, "vms"), vmId);
        return ProcessInspector.ReadPidFile(paths.PidFile) is { } pid && ProcessInspector.IsQemuFor(ProcessInspector.CommandLine(pid), vmId, paths.QmpSocket) ? pid : null;
    }

    /// <summary>Field 22 of /proc/pid/stat: when the process started (a restarted qemu with a reused PID would differ).</summary>
    public static string StartTime(int pid) => ProcessInspector.StartTime(pid);

    /// <summary>A volume's storage daemon PID from its pidfile, when that process is alive.</summary>
    public int? StorageDaemonPid(string volumeId)
    {
        var pidFile = Path.Combine(StateDir, "volumes", volumeId, "daemon.pid");
        return ProcessInspector.ReadPidFile(pidFile) is { } pid && ProcessInspector.IsAlive(pid) ? pid : null;
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); } catch (Exception) { }
        // Storage daemons run detached (they outlive the agent by design): stop them by PID.
        var volumeDirs = Path.Combine(StateDir, "volumes");
        foreach (var dir in Directory.Exists(volumeDirs) ? Directory.GetDirectories(volumeDirs) : [])
        {
            if (StorageDaemonPid(Path.GetFileName(dir)) is not { } pid) continue;
            ProcessInspector.Signal(pid, 9);
            for (var i = 0; i < 200 && ProcessInspector.IsAlive(pid); i++) await Task.Delay(25);
        }
        var vms = Path.Combine(StateDir, "vms");
        var ids = Directory.Exists(vms) ? Directory.GetDirectories(vms).Select(Path.GetFileName).OfType<string>().ToList() : [];
        foreach (var id in ids)
        {
            if (QemuPid(id) is not { } pid) continue;
            ProcessInspector.Signal(pid, 9);
            for (var i = 0; i < 200 && ProcessInspector.IsAlive(pid); i++) await Task.Delay(25);
        }
        // The supervising shell writes the exit status a moment after qemu dies, then leaves the cgroup.
        await Task.Delay(200);
        foreach (var id in ids)
            try { Cgroups.For(id).Remove(); } catch (Exception) { }
        try { Cgroups.RemoveParent(); } catch (Exception) { }
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
        try { Directory.Delete(HookDir, recursive: true); } catch (IOException) { }
    }
}
