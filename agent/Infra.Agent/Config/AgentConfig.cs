using Infra.Agent.Core.Inventory;

namespace Infra.Agent.Config;

/// <summary>The agent's whole configuration (/etc/infra/agent.yaml), validated at start.</summary>
public sealed record AgentConfig
{
    /// <summary>The controller to dial.</summary>
    public required ControllerConfig Controller { get; init; }
    /// <summary>This host's stable id.</summary>
    public required string HostId { get; init; }
    /// <summary>Where the agent keeps its state (desired state, VM records).</summary>
    public required string StateDir { get; init; }
    /// <summary>The underlay IP peers reach this host's GRE port on.</summary>
    public required string TunnelIp { get; init; }
    /// <summary>Open vSwitch.</summary>
    public required NetworkConfig Network { get; init; }
    /// <summary>qemu and the VM runner.</summary>
    public required ComputeConfig Compute { get; init; }
    /// <summary>Storage pools for local volumes.</summary>
    public IReadOnlyList<StoragePoolConfig> StoragePools { get; init; } = [];
    /// <summary>Base images for clones: &lt;image id&gt;.qcow2 or .raw (shared or pre-seeded on every host).</summary>
    public string ImageDir { get; init; } = "/var/lib/infra/images";
    /// <summary>How often the last desired state is re-enforced locally.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often observed state is checked for changes to report.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>An apply pass running longer than this is hung: the agent stops petting systemd's watchdog, which restarts it.</summary>
    public TimeSpan ApplyStallLimit { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>trace, debug, info, warning, error.</summary>
    public string LogLevel { get; init; } = "info";
}

/// <summary>The controller connection.</summary>
/// <param name="Url">http:// (h2c, loopback/dev) or https:// (TLS): the controller, or the first of its replicas.</param>
/// <param name="TokenFile">A file holding the bearer token (first line), or null.</param>
/// <param name="CaFile">PEM CA bundle for https, or null for the system store.</param>
/// <param name="JoinTokenFile">controller.join_token_file: a single-use join token (first line) the agent
/// enrolls with when it has no valid certificate yet; null: no enrollment (bearer token only).</param>
/// <param name="CertDir">controller.cert_dir: where the host's key (0600) and certificate are kept
/// (default &lt;state_dir&gt;/tls).</param>
public sealed record ControllerConfig(string Url, string? TokenFile, string? CaFile, string? JoinTokenFile = null, string CertDir = "")
{
    readonly IReadOnlyList<string>? _urls;

    /// <summary>Every controller replica (controller.urls, with controller.url first when both are set);
    /// the agent balances and fails over across them.</summary>
    public IReadOnlyList<string> Urls { get => _urls ?? [Url]; init => _urls = value; }
}

/// <summary>The integration bridge and how to reach OVS.</summary>
/// <param name="Enabled">False runs without OVS (compute-only hosts, tests).</param>
/// <param name="Ovsdb">OVSDB endpoint, e.g. unix:/run/openvswitch/db.sock.</param>
/// <param name="OvsRunDir">Where ovs-vswitchd puts br-*.mgmt.</param>
/// <param name="Bridge">br-int.</param>
/// <param name="DatapathType">system or netdev.</param>
/// <param name="DatapathId">Pinned datapath id (derived from the host id when not set).</param>
/// <param name="Dhcp">Run the DHCP/RA responder on infra-dhcp (network.dhcp; guests without cloud-init need it).</param>
/// <param name="DhcpLeaseSeconds">network.dhcp_lease_seconds: the lease time guests are given.</param>
/// <param name="RouterAdvertisementIntervalSeconds">network.router_advertisement_interval_seconds: period of unsolicited RAs.</param>
public sealed record NetworkConfig(bool Enabled, string Ovsdb, string OvsRunDir, string Bridge, string DatapathType, ulong DatapathId,
    bool Dhcp = true, int DhcpLeaseSeconds = 86400, int RouterAdvertisementIntervalSeconds = 200);

/// <summary>Compute.</summary>
/// <param name="Runner">systemd (transient units) or supervised (setsid child, hosts without systemd).</param>
/// <param name="AllowTcg">Fall back to software emulation when KVM is unusable.</param>
/// <param name="ForceTcg">Skip KVM (needs AllowTcg).</param>
/// <param name="QemuBinary">The qemu binary.</param>
/// <param name="MhzPerCore">Nominal MHz per core; 0 probes it.</param>
/// <param name="NestCgroups">Create VM cgroups below the agent's own (tests).</param>
/// <param name="CgroupParent">The cgroup directory grouping VMs (supervised runner).</param>
/// <param name="ConsoleLogKib">Cap of each of a VM's two serial log files, in KiB.</param>
/// <param name="QemuUser">The unprivileged account qemu drops to; empty keeps root (development only).</param>
public sealed record ComputeConfig(string Runner, bool AllowTcg, bool ForceTcg, string QemuBinary, int MhzPerCore, bool NestCgroups, string CgroupParent = "infra",
    int ConsoleLogKib = 1024, string QemuUser = "infra-qemu");
