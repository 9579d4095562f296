using Infra.Agent.Compute.Cgroups;
using Infra.TestHosts;

namespace Infra.Cloud.EndToEnd.Tests.Support;

/// <summary>
/// A single-host cloud inside one network namespace, laid out like `make cloud`: a private Open
/// vSwitch (userspace datapath), the controller on SQLite listening on the namespace's loopback, and
/// the agent (supervised runner, TCG) dialling it with the operator's token. VMs' taps and the
/// bridge live in the namespace, so nothing touches the machine's own network. Dispose stops the
/// agent, then every qemu / qemu-storage-daemon under the agent's state dir by PID, the controller
/// and OVS, and removes the VM cgroups, the namespace and the directories.
/// Several hosts: <see cref="StartOnUnderlayAsync"/> gives the first an underlay address (the
/// controller listens there, on TLS with a certificate from a throwaway CA, as a non-loopback
/// listener must), and <see cref="JoinAsync"/> starts another host's OVS and agent in a
/// namespace of its own, cabled to the first (<see cref="Underlay"/>), dialling the first's controller.
/// </summary>
public sealed class CloudHost : IAsyncDisposable
{
    public const string Token = "cloud-e2e-token-6f1c2a9b8d7e";
    static readonly TimeSpan Ready = TimeSpan.FromSeconds(60);

    readonly string _tag = Cmd.Unique();
    NsProcess? _controller;
    TestPki? _pki;

    public OvsHost Ovs { get; }
    /// <summary>The address on br-phy that peers' GRE ports dial; without an underlay, loopback.</summary>
    public string TunnelIp { get; private init; } = "127.0.0.1";
    public string Dir { get; }
    /// <summary>Short: qmp and vhost-user sockets below it must fit in 108 bytes.</summary>
    public string StateDir { get; }
    public string HostId => "cloud-" + _tag;
    public string Url { get; private set; } = "";
    /// <summary>The CA that signed the controller's certificate when it listens on the underlay (https://); null on loopback (h2c).</summary>
    public string? CaFile { get; private set; }
    public NsProcess? Agent { get; private set; }
    public Infractl Ctl { get; private set; } = null!;
    /// <summary>Where the controller puts imported images and the agent reads them; a joined host shares the first's (as hosts share an NFS image_dir).</summary>
    public string ImageDir { get; }
    public CgroupTree Cgroups => new() { Parent = "ic-" + _tag, NestUnderOwnCgroup = true };

    CloudHost(string name = "cloud", string? imageDir = null)
    {
        Dir = Directory.CreateTempSubdirectory("infra-cloud-").FullName;
        StateDir = Path.Combine("/tmp", "ic-" + _tag);
        ImageDir = imageDir ?? Path.Combine(Dir, "images");
        Directory.CreateDirectory(StateDir);
        Directory.CreateDirectory(ImageDir);
        Directory.CreateDirectory(Path.Combine(Dir, "pool"));
        File.WriteAllText(Path.Combine(Dir, "tokens"), Token + "\n");
        Ovs = new OvsHost(name);
    }

    /// <summary>Environment for the agent (the test guest's kernel hooks); the agent keeps it across restarts.</summary>
    public IReadOnlyDictionary<string, string> AgentEnvironment { get; private init; } = new Dictionary<string, string>();
    /// <summary>More keys for the agent's compute section, e.g. "console_log_kib: 64".</summary>
    public string ComputeExtra { get; private init; } = "";

    public static async Task<CloudHost> StartAsync(IReadOnlyDictionary<string, string>? agentEnvironment = null, string computeExtra = "")
    {
        var c = new CloudHost { AgentEnvironment = agentEnvironment ?? new Dictionary<string, string>(), ComputeExtra = computeExtra };
        try
        {
            await c.StartControllerAsync();
            await c.WriteAgentConfigAsync();
            c.StartAgent();
            await c.WaitHostUpAsync();
            return c;
        }
        catch { await c.DisposeAsync(); throw; }
    }

    /// <summary>The first of several hosts: <paramref name="underlayIp"/> on its br-phy, its tunnel IP and the controller's listen address.</summary>
    public static async Task<CloudHost> StartOnUnderlayAsync(string underlayIp)
    {
        var c = new CloudHost("h1") { TunnelIp = underlayIp };
        try
        {
            Underlay.AddBridge(c.Ovs, underlayIp);
            await c.StartControllerAsync(underlayIp);
            await c.WriteAgentConfigAsync();
            c.StartAgent();
            await c.WaitHostUpAsync();
            return c;
        }
        catch { await c.DisposeAsync(); throw; }
    }

    /// <summary>
    /// Another host: its own namespace, OVS and agent, cabled to <paramref name="first"/>'s br-phy, its
    /// agent dialling the first's controller over the underlay (TLS trusting the first's CA, the operator's token).
    /// Ctl is the first's: the operator's infractl runs where the controller is. With
    /// <paramref name="shareImages"/> its image_dir is the first's (as an NFS mount would be); without,
    /// it has its own, which the operator pre-seeds (<see cref="SeedImage"/>).
    /// </summary>
    public static async Task<CloudHost> JoinAsync(CloudHost first, string underlayIp, bool shareImages = true)
    {
        if (first.TunnelIp == "127.0.0.1") throw new InvalidOperationException("start the first host with StartOnUnderlayAsync: a joined host reaches its controller over the underlay");
        var c = new CloudHost("h" + underlayIp.Split('.')[^1], shareImages ? first.ImageDir : null) { TunnelIp = underlayIp, AgentEnvironment = first.AgentEnvironment, ComputeExtra = first.ComputeExtra };
        try
        {
            Underlay.AddBridge(c.Ovs, underlayIp);
            Underlay.Link(first.Ovs, c.Ovs);
            Underlay.Warm(first.Ovs, first.TunnelIp, c.Ovs, underlayIp);
            (c.Url, c.Ctl, c.CaFile) = (first.Url, first.Ctl, first.CaFile);
            await c.WriteAgentConfigAsync();
            c.StartAgent();
            await c.WaitHostUpAsync();
            return c;
        }
        catch { await c.DisposeAsync(); throw; }
    }

    /// <summary>What an operator does for a host without shared image storage: copies an imported image from <paramref name="from"/>'s image_dir.</summary>
    public void SeedImage(CloudHost from, string imageId) =>
        File.Copy(Path.Combine(from.ImageDir, imageId + ".qcow2"), Path.Combine(ImageDir, imageId + ".qcow2"));

    async Task StartControllerAsync(string listenIp = "127.0.0.1")
    {
        var config = Path.Combine(Dir, "controller.yaml");
        var tls = "";
        if (listenIp != "127.0.0.1")
        {
            _pki = new TestPki();
            var (cert, key) = _pki.Issue("controller", [listenIp]);
            CaFile = _pki.CaFile;
            tls = $"tls: {{cert_file: '{cert}', key_file: '{key}'}}\n";
        }
        File.WriteAllText(config, $"image_directory: {ImageDir}\n{tls}");
        var ready = Path.Combine(Dir, "controller.ready");
        _controller = NsProcess.Start(Ovs.Namespace, "infra-controller.dll", "--config", config, "--listen", listenIp + ":0",
            "--store", "sqlite:" + Path.Combine(Dir, "state.db"), "--token-file", Path.Combine(Dir, "tokens"), "--ready-file", ready, "--node-id", "ctl-" + _tag);
        var deadline = DateTime.UtcNow + Ready;
        while (!(File.Exists(ready) && File.ReadAllText(ready).Trim().Length > 0))
        {
            if (!_controller.IsRunning) throw new InvalidOperationException($"infra-controller exited: {_controller.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"infra-controller not ready: {_controller.Output}");
            await Task.Delay(100);
        }
        Url = File.ReadAllText(ready).Trim();
        Ctl = new Infractl(Ovs.Namespace, Url, Token, CaFile);
    }

    string AgentConfig => Path.Combine(Dir, "agent.yaml");

    /// <summary>
    /// Over TLS (hosts on the underlay) the host joins as an operator would have it: a join token for its
    /// id (uncordoned, so the tests can place on it at once) in controller.join_token_file, which the agent
    /// enrolls with; its session then runs on its own certificate. On loopback (h2c) it uses the token.
    /// </summary>
    async Task WriteAgentConfigAsync()
    {
        var enroll = "";
        if (CaFile is not null)
        {
            var created = await Ctl.RunAsync("enrollment", "create-token", "--host-id", HostId, "--uncordoned", "--description", "cloud e2e");
            var token = System.Text.RegularExpressions.Regex.Match(created.Out, @"token \(shown once\): (\S+)");
            if (created.Code != 0 || !token.Success) throw new InvalidOperationException($"infractl enrollment create-token failed: {created}");
            var file = Path.Combine(Dir, "join-token");
            File.WriteAllText(file, token.Groups[1].Value + "\n");
            enroll = $", join_token_file: '{file}'";
        }
        WriteAgentConfig(enroll);
    }

    void WriteAgentConfig(string enroll) => File.WriteAllText(AgentConfig, $"""
        controller: {"{"}url: '{Url}', token_file: '{Path.Combine(Dir, "tokens")}'{(CaFile is null ? "" : $", ca_file: '{CaFile}'")}{enroll}{"}"}
        host_id: {HostId}
        state_dir: {StateDir}
        tunnel_ip: {TunnelIp}
        network: {"{"}enabled: true, ovsdb: '{Ovs.DbEndpoint}', ovs_run_dir: '{Ovs.Dir}', bridge: br-int, datapath_type: netdev{"}"}
        storage_pools: [{"{"}name: default, path: '{Path.Combine(Dir, "pool")}'{"}"}]
        image_dir: {ImageDir}
        compute: {"{"}runner: supervised, allow_tcg: true, force_tcg: true, mhz_per_core: 2000, nest_cgroups: true, cgroup_parent: ic-{_tag}{(ComputeExtra.Length > 0 ? ", " + ComputeExtra : "")}{"}"}
        reconcile_interval_seconds: 2
        status_interval_seconds: 0.5
        log_level: info
        """);

    /// <summary>Starts (or restarts) the agent on the same config and state.</summary>
    public void StartAgent()
    {
        Agent?.Dispose();
        Agent = NsProcess.Start(Ovs.Namespace, "infra-agent.dll", ["--config", AgentConfig], AgentEnvironment);
    }

    /// <summary>SIGKILL the agent: VMs and storage daemons must not notice.</summary>
    public void KillAgent() => Agent?.Kill();

    public string Logs() => (_controller is null ? "" : $"--- controller\n{Tail(_controller.Output)}\n") + $"--- agent {HostId}\n{Tail(Agent?.Output)}";

    static string Tail(string? s) => s is null ? "" : s.Length > 6000 ? s[^6000..] : s;

    public async Task WaitHostUpAsync() =>
        // An enrolled host exists (without a state) from Enroll until its agent's Hello.
        await Ctl.WaitAsync("host", HostId, h => h.TryGetProperty("state", out var s) && s.GetString() == "HOST_STATE_UP", Ready, Logs);

    /// <summary>PIDs of live processes whose command line mentions <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> PidsMentioning(string text)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(text, StringComparison.Ordinal)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    /// <summary>The qemu running a VM: its command line names the instance id.</summary>
    public int? QemuPid(string instanceId) =>
        PidsMentioning(instanceId).Where(p => Comm(p).StartsWith("qemu-system", StringComparison.Ordinal)).Cast<int?>().FirstOrDefault();

    public static string Comm(int pid) { try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); } catch (IOException) { return ""; } }

    /// <summary>Field 22 of /proc/pid/stat: a restarted process with a reused PID would differ.</summary>
    public static string StartTime(int pid) => global::Infra.Agent.Compute.Runners.ProcessInspector.StartTime(pid);

    public async ValueTask DisposeAsync()
    {
        Agent?.Dispose();
        // VMs, their supervisors and storage daemons outlive the agent by design: stop them by PID.
        for (var round = 0; round < 3; round++)
        {
            var left = PidsMentioning(StateDir);
            if (left.Count == 0) break;
            foreach (var pid in left) global::Infra.Agent.Compute.Runners.ProcessInspector.Signal(pid, 9);
            await Task.Delay(300);
        }
        var vms = Path.Combine(StateDir, "vms");
        foreach (var id in Directory.Exists(vms) ? Directory.GetDirectories(vms).Select(Path.GetFileName).OfType<string>() : [])
            try { Cgroups.For(id).Remove(); } catch (Exception) { }
        try { Cgroups.RemoveParent(); } catch (Exception) { }
        _controller?.Dispose();
        _pki?.Dispose();
        Ovs.Dispose();
        try { Directory.Delete(StateDir, recursive: true); } catch (IOException) { }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
