using Infra.Agent.Config;

namespace Infra.Agent.Tests.Config;

public sealed class AgentConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("infra-agent-cfg-").FullName;
    private string MachineId(string content) { var p = Path.Combine(_dir, "machine-id"); File.WriteAllText(p, content); return p; }
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepoFile(string rel)
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, rel))) d = d.Parent;
        return Path.Combine(d?.FullName ?? throw new FileNotFoundException(rel), rel);
    }

    [Fact]
    public void PackagedDefaultConfig_IsValid_WithHostIdFromMachineId()
    {
        var (c, errors) = AgentConfigLoader.Load(File.ReadAllText(RepoFile("packaging/config/agent.yaml")), MachineId("0123456789abcdef0123456789abcdef\n"));
        Assert.Empty(errors);
        Assert.Equal("0123456789abcdef0123456789abcdef", c!.HostId);
        Assert.Equal("/var/lib/infra/agent", c.StateDir);
        Assert.Equal(("br-int", "system", true), (c.Network.Bridge, c.Network.DatapathType, c.Network.Enabled));
        Assert.Equal(("systemd", false), (c.Compute.Runner, c.Compute.AllowTcg));
        Assert.Equal(AgentConfigLoader.DatapathIdFor(c.HostId), c.Network.DatapathId);
        Assert.Equal("default", Assert.Single(c.StoragePools).Name);
    }

    [Fact]
    public void Minimal_GetsDefaults()
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n", MachineId(""));
        Assert.Empty(errors);
        Assert.Equal((TimeSpan.FromSeconds(30), "info", "unix:/run/openvswitch/db.sock"), (c!.ReconcileInterval, c.LogLevel, c.Network.Ovsdb));
    }

    [Theory]
    [InlineData("{url: 'http://127.0.0.1:7443'}", "http://127.0.0.1:7443", null)]
    [InlineData("{urls: ['http://127.0.0.1:7443', 'http://127.0.0.2:7443/']}", "http://127.0.0.1:7443 http://127.0.0.2:7443", null)]
    [InlineData("{url: 'https://a:7443', urls: ['https://b:7443']}", "https://a:7443 https://b:7443", null)]
    [InlineData("{urls: ['http://localhost:1', 'http://localhost:1']}", null, "controller.urls[1] 'http://localhost:1' is listed twice")]
    [InlineData("{urls: ['http://127.0.0.1:1', 'https://b:2']}", null, "controller.urls must be all http:// or all https:// (one channel carries every replica)")]
    [InlineData("{urls: ['http://a:1/x']}", null, "controller.urls[0] 'http://a:1/x' must be an http:// (h2c) or https:// URL with a port and no path, e.g. https://controller.example:7443")]
    [InlineData("{url: 'http://[::1]:7443'}", "http://[::1]:7443", null)]
    [InlineData("{url: 'https://10.0.0.5:7443'}", "https://10.0.0.5:7443", null)]
    public void ControllerUrls_OneOrSeveralReplicas(string controller, string? expected, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load($"controller: {controller}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n", MachineId(""));
        if (error is not null) { Assert.Contains(error, errors); return; }
        Assert.Empty(errors);
        Assert.Equal(expected, string.Join(" ", c!.Controller.Urls));
        Assert.Equal(expected!.Split(' ')[0], c.Controller.Url);
    }

    [Theory]
    [InlineData("{url: 'http://10.0.0.5:7443'}", "controller.url", "http://10.0.0.5:7443")]
    [InlineData("{url: 'http://controller.example:7443'}", "controller.url", "http://controller.example:7443")]
    [InlineData("{urls: ['http://127.0.0.1:7443', 'http://10.0.0.6:7443']}", "controller.urls[1]", "http://10.0.0.6:7443")]
    public void ControllerUrl_PlaintextToANonLoopbackHost_IsRefusedNamingTheField(string controller, string field, string url)
    {
        var (c, errors) = AgentConfigLoader.Load($"controller: {controller}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n", MachineId(""));
        Assert.Null(c);
        var error = Assert.Single(errors);
        Assert.StartsWith($"{field} '{url}' is plaintext (http://)", error);
        Assert.Contains("use https://", error);
    }

    [Theory]
    [InlineData("", "/var/lib/infra/images", null)]
    [InlineData("image_dir: /srv/images\n", "/srv/images", null)]
    [InlineData("image_dir: images\n", null, "image_dir 'images' must be an absolute path")]
    public void ImageDir_DefaultsAndMustBeAbsolute(string line, string? expected, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n" + line, MachineId(""));
        if (error is null) Assert.Equal(expected, c!.ImageDir);
        else Assert.Contains(error, errors);
    }

    [Theory]
    [InlineData("", 1024, null)]
    [InlineData("compute: {console_log_kib: 64}\n", 64, null)]
    [InlineData("compute: {console_log_kib: 16}\n", 0, "compute.console_log_kib 16 must be between 64 and 65536")]
    public void ConsoleLogCap_DefaultsToOneMiBAndIsBounded(string line, int expected, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n" + line, MachineId(""));
        if (error is null) Assert.Equal(expected, c!.Compute.ConsoleLogKib);
        else Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "infra-qemu", null)]
    [InlineData("compute: {qemu_user: guests}\n", "guests", null)]
    [InlineData("compute: {qemu_user: ''}\n", "", null)]
    [InlineData("compute: {qemu_user: root}\n", null, "compute.qemu_user 'root' defeats the drop")]
    [InlineData("compute: {qemu_user: 'Bad User'}\n", null, "compute.qemu_user 'Bad User' must be an account name")]
    public void QemuUser_DefaultsToInfraQemu_AndMustBeAnUnprivilegedAccountName(string line, string? expected, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n" + line, MachineId(""));
        if (error is null) Assert.Equal(expected, c!.Compute.QemuUser);
        else Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 600.0, null)]
    [InlineData("apply_stall_seconds: 2\n", 2.0, null)]
    [InlineData("apply_stall_seconds: 0\n", null, "apply_stall_seconds 0 must be between 1 and 86400")]
    public void ApplyStallSeconds_DefaultsToTenMinutes_AndIsBounded(string line, double? expected, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n" + line, MachineId(""));
        if (error is null) Assert.Equal(TimeSpan.FromSeconds(expected!.Value), c!.ApplyStallLimit);
        else Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", true, 86400, 200, null)]
    [InlineData("network: {dhcp: false, dhcp_lease_seconds: 600, router_advertisement_interval_seconds: 30}\n", false, 600, 30, null)]
    [InlineData("network: {dhcp_lease_seconds: 10}\n", true, 0, 0, "network.dhcp_lease_seconds 10 must be between 60")]
    [InlineData("network: {router_advertisement_interval_seconds: 3600}\n", true, 0, 0, "network.router_advertisement_interval_seconds 3600 must be between 4 and 1800")]
    public void DhcpResponder_OnByDefault_LeaseAndRaIntervalBounded(string line, bool on, int lease, int ra, string? error)
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:7443'}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n" + line, MachineId(""));
        if (error is null) Assert.Equal((on, lease, ra), (c!.Network.Dhcp, c.Network.DhcpLeaseSeconds, c.Network.RouterAdvertisementIntervalSeconds));
        else Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryErrorIsReported_AtOnce()
    {
        const string yaml = """
            controller: {url: 'ftp://x', token_file: relative/token}
            host_id: 'bad id!'
            state_dir: var/lib
            tunnel_ip: nope
            network: {bridge: 'a-bridge-name-too-long', datapath_type: dpdk, ovsdb: 'ssl:x', datapath_id: 'zz'}
            compute: {runner: lxc, force_tcg: true, mhz_per_core: -1, qemu_binary: qemu}
            storage_pools: [{name: a, path: rel}, {name: a, path: /x}]
            reconcile_interval_seconds: 0
            status_interval_seconds: 1000
            log_level: loud
            """;
        var (c, errors) = AgentConfigLoader.Load(yaml);
        Assert.Null(c);
        foreach (var key in new[] { "controller.url", "controller.token_file", "host_id", "state_dir", "tunnel_ip", "network.bridge", "network.datapath_type", "network.ovsdb",
                     "network.datapath_id", "compute.runner", "compute.force_tcg", "compute.mhz_per_core", "compute.qemu_binary", "storage_pools[0].path", "storage pool 'a'",
                     "reconcile_interval_seconds", "status_interval_seconds", "log_level" })
            Assert.Contains(errors, e => e.StartsWith(key, StringComparison.Ordinal));
        Assert.Equal(18, errors.Count);
    }

    [Fact]
    public void JoinTokenFile_EnablesEnrollment_WithTheCertificateUnderTheStateDir()
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'https://10.0.0.9:7443', join_token_file: /etc/infra/join-token}\nhost_id: h1\nstate_dir: /var/lib/infra/agent\ntunnel_ip: 10.0.0.1\n");
        Assert.Empty(errors);
        Assert.Equal("/etc/infra/join-token", c!.Controller.JoinTokenFile);
        Assert.Equal("/var/lib/infra/agent/tls", c.Controller.CertDir);
    }

    [Fact]
    public void JoinTokenFile_NeedsHttps_AndAbsolutePaths()
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:1', join_token_file: token, cert_dir: tls}\nhost_id: h1\ntunnel_ip: 10.0.0.1\n");
        Assert.Null(c);
        Assert.Contains(errors, e => e.StartsWith("controller.join_token_file 'token' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("controller.join_token_file is set but controller.url", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("controller.cert_dir 'tls' must be an absolute path", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKey_IsAnError_WithItsLine()
    {
        var (c, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:1'}\ntunnel_ip: 10.0.0.1\nallow_tgc: true\n");
        Assert.Null(c);
        Assert.Contains("line 3", Assert.Single(errors));
    }

    [Fact]
    public void MissingMachineId_SaysToSetHostId()
    {
        var (_, errors) = AgentConfigLoader.Load("controller: {url: 'http://127.0.0.1:1'}\ntunnel_ip: 10.0.0.1\n", Path.Combine(_dir, "absent"));
        Assert.Contains(errors, e => e.Contains("set host_id"));
    }

    [Fact]
    public void StateDirTooLongForSockets_IsRejected()
    {
        var (_, errors) = AgentConfigLoader.Load($"controller: {{url: 'http://127.0.0.1:1'}}\nhost_id: h\ntunnel_ip: 10.0.0.1\nstate_dir: /{new string('x', 40)}\n");
        Assert.Contains(errors, e => e.Contains("too long"));
    }
}
