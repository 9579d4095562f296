using Infra.Agent.Tests.Support;
using Infra.Systemd.Manager;
using Infra.Systemd.Tests.Fixtures;

namespace Infra.Agent.Systemd.Tests.Fixture;

/// <summary>
/// A host as an operator sets it up: real systemd booted as PID 1 (see <see cref="SystemdRoot"/>),
/// infra-agent installed as packaging/systemd/infra-agent.service with infra-vms.slice, the unit files
/// copied verbatim; a drop-in changes only ExecStart's path (the build output is bound read-only at
/// /opt/infra-agent instead of being installed in /usr/lib/infra/agent).
///
/// Software: the root is a minbase Debian of the host's own release (bookworm, systemd 252), and the
/// host's /usr is bound over the root's /usr, read-only. That is the same systemd binary the root
/// would have, plus what an operator installs with the packages: qemu-system-x86, qemu-utils,
/// qemu-storage-daemon, the .NET runtime. /etc, /var, /run stay the root's own (fresh): the agent's
/// state, the VMs' sockets and the volumes live there. openvswitch-switch.service, which the agent's
/// unit Wants=, is masked: this host runs the agent compute-only (network.enabled: false), and the
/// host's OVS unit must not start a second ovs-vswitchd on the shared network namespace.
///
/// Network: the root shares the host's network namespace (SystemdRoot unshares pid, mount, uts and
/// cgroup only), so the agent dials the <see cref="ControllerServer"/> on 127.0.0.1 directly.
/// Dispose kills init (the kernel ends the whole PID namespace: agent, qemu, storage daemons) and
/// undoes every mount and cgroup; it runs after a failed start too.
/// </summary>
public sealed partial class AgentServiceRoot : IAsyncLifetime
{
    public const string Unit = "infra-agent.service";
    public const string StateDir = "/var/lib/infra/agent";
    public const string ImageDir = "/var/lib/infra/images";
    public const string PoolDir = "/var/lib/infra/pools/default";
    public const string AgentDirInRoot = "/opt/infra-agent";
    /// <summary>The configured per-core clock: CPU quotas are cpu_mhz / this.</summary>
    public const int MhzPerCore = 2000;

    public SystemdRoot Root { get; private set; } = null!;
    public SystemdManager Systemd { get; private set; } = null!;
    public ControllerServer? Server { get; private set; }
    public string HostId { get; } = "sd-host-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        var agentDir = AgentBuildDir();
        Root = await Task.Run(() => new SystemdRoot([("/usr", "/usr"), (agentDir, AgentDirInRoot)]));
        Install();
        Systemd = await SystemdManager.ConnectAsync(Root.BusAddress);
        await Systemd.SubscribeAsync();
    }

    /// <summary>The packaged unit files and sysusers account, an ExecStart path drop-in, an empty base image, then daemon-reload.</summary>
    private void Install()
    {
        var units = HostPath("/etc/systemd/system");
        foreach (var f in new[] { "infra-agent.service", "infra-vms.slice" })
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Packaging", f), Path.Combine(units, f));
        var dropIn = Directory.CreateDirectory(Path.Combine(units, "infra-agent.service.d")).FullName;
        File.WriteAllText(Path.Combine(dropIn, "10-test-host-paths.conf"), $"""
            # The build output is bound at {AgentDirInRoot}; every other setting is the packaged one.
            [Service]
            ExecStart=
            ExecStart={AgentDirInRoot}/infra-agent --config /etc/infra/agent.yaml

            """);
        // The account qemu drops to, made as the package's postinst makes it.
        var sysusers = Directory.CreateDirectory(HostPath("/etc/sysusers.d")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Packaging", "infra.conf"), Path.Combine(sysusers, "infra.conf"));
        Root.Exec(["systemd-sysusers", "infra.conf"]);
        File.CreateSymbolicLink(Path.Combine(units, "openvswitch-switch.service"), "/dev/null");
        Directory.CreateDirectory(HostPath(ImageDir));
        Directory.CreateDirectory(HostPath(PoolDir));
        Cmd.Run("qemu-img", "create", "-q", "-f", "qcow2", HostPath(ImageDir + "/img1.qcow2"), "64M");
        Systemctl("daemon-reload");
    }

    /// <summary>
    /// Stops the agent and every VM and volume unit a previous test left, wipes the agent's state,
    /// starts a fresh controller running <paramref name="script"/>, writes agent.yaml for it (plus
    /// <paramref name="extraYaml"/>), runs <paramref name="beforeStart"/> and starts the service
    /// (systemctl start returns once systemd has the agent's READY=1).
    /// </summary>
    public async Task<ControllerServer> StartFreshAsync(Func<ScriptedSession, Task> script, string? extraYaml = null, Action? beforeStart = null)
    {
        Systemctl("stop", Unit);
        foreach (var unit in ListUnits("infra-vm-*", "infra-vol-*")) Systemctl("stop", unit);
        Systemctl("reset-failed");
        foreach (var dir in new[] { StateDir, PoolDir })
            if (Directory.Exists(HostPath(dir))) { Directory.Delete(HostPath(dir), recursive: true); Directory.CreateDirectory(HostPath(dir)); }
        if (Server is not null) await Server.DisposeAsync();
        Server = await ControllerServer.StartAsync();
        Server.Controller.Script = script;
        WriteConfig(Server.Url, extraYaml);
        beforeStart?.Invoke();
        try { Systemctl("start", Unit); }
        catch (InvalidOperationException e) { throw new InvalidOperationException($"{e.Message}\njournal: {Journal(Unit)}", e); }
        return Server;
    }

    private void WriteConfig(string controllerUrl, string? extraYaml)
    {
        Directory.CreateDirectory(HostPath("/etc/infra"));
        File.WriteAllText(HostPath("/etc/infra/agent.yaml"), $"""
            controller: {"{"}url: '{controllerUrl}'{"}"}
            host_id: {HostId}
            state_dir: {StateDir}
            tunnel_ip: 127.0.0.1
            network: {"{"}enabled: false{"}"}
            storage_pools: [{"{"}name: default, path: {PoolDir}{"}"}]
            image_dir: {ImageDir}
            compute: {"{"}runner: systemd, allow_tcg: true, force_tcg: true, qemu_binary: /usr/bin/qemu-system-x86_64, mhz_per_core: {MhzPerCore}{"}"}
            reconcile_interval_seconds: 2
            status_interval_seconds: 0.3
            log_level: debug
            {extraYaml ?? ""}
            """);
    }

    /// <summary>
    /// Adds a drop-in to the agent's unit (a test that needs a setting the packaged unit does not
    /// have); <see cref="RemoveDropIn"/> takes it away again. Both reload systemd.
    /// </summary>
    public void AddDropIn(string name, string content)
    {
        File.WriteAllText(Path.Combine(HostPath("/etc/systemd/system/infra-agent.service.d"), name + ".conf"), content);
        Systemctl("daemon-reload");
    }

    public void RemoveDropIn(string name)
    {
        File.Delete(Path.Combine(HostPath("/etc/systemd/system/infra-agent.service.d"), name + ".conf"));
        Systemctl("daemon-reload");
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Systemd is not null) await Systemd.DisposeAsync();
        Root?.Dispose();
    }

    /// <summary>agent/Infra.Agent's build output in this test's configuration (a ProjectReference builds it).</summary>
    private static string AgentBuildDir()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !Directory.Exists(Path.Combine(d.FullName, "agent", "Infra.Agent"))) d = d.Parent;
        var config = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var dir = Path.Combine(d?.FullName ?? throw new DirectoryNotFoundException("repo root above " + AppContext.BaseDirectory),
            "agent", "Infra.Agent", "bin", config, "net10.0");
        return File.Exists(Path.Combine(dir, "infra-agent")) ? dir : throw new FileNotFoundException("build agent/Infra.Agent first", dir);
    }
}
