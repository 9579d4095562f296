using System.Globalization;
using System.Net;
using Infra.Agent.Core.Inventory;

namespace Infra.Agent.Config;

/// <summary>Turns the YAML file into an <see cref="AgentConfig"/>, reporting every problem at once.</summary>
public static class AgentConfigLoader
{
    /// <summary>Where the host id comes from when the config names none.</summary>
    public const string MachineIdPath = "/etc/machine-id";

    /// <summary>Loads and validates <paramref name="yaml"/>; the config, or every error.</summary>
    public static (AgentConfig? Config, IReadOnlyList<string> Errors) Load(string yaml, string machineIdPath = MachineIdPath)
    {
        var (file, parseError) = AgentConfigYaml.Parse(yaml);
        if (file is null) return (null, [$"agent config is not valid YAML: {parseError}"]);
        var e = new List<string>();

        var urls = ControllerUrls(file.Controller, e);
        var url = urls.FirstOrDefault() ?? "";
        var tokenFile = Blank(file.Controller?.TokenFile);
        if (tokenFile is not null && !Path.IsPathRooted(tokenFile)) e.Add($"controller.token_file '{tokenFile}' must be an absolute path");
        var caFile = Blank(file.Controller?.CaFile);
        if (caFile is not null && !Path.IsPathRooted(caFile)) e.Add($"controller.ca_file '{caFile}' must be an absolute path");
        var joinTokenFile = Blank(file.Controller?.JoinTokenFile);
        if (joinTokenFile is not null && !Path.IsPathRooted(joinTokenFile)) e.Add($"controller.join_token_file '{joinTokenFile}' must be an absolute path");
        if (joinTokenFile is not null && !url.StartsWith("https://", StringComparison.Ordinal))
            e.Add($"controller.join_token_file is set but controller.url '{url}' is not https://: host certificates are presented over TLS only");
        var certDir = Blank(file.Controller?.CertDir);
        if (certDir is not null && !Path.IsPathRooted(certDir)) e.Add($"controller.cert_dir '{certDir}' must be an absolute path");

        var hostId = Blank(file.HostId) ?? ReadMachineId(machineIdPath, e);
        if (hostId is not null && (hostId.Length > 64 || !hostId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            e.Add($"host_id '{hostId}' must be 1-64 characters of [A-Za-z0-9._-]");

        var stateDir = file.StateDir ?? "/var/lib/infra/agent";
        if (!Path.IsPathRooted(stateDir)) e.Add($"state_dir '{stateDir}' must be an absolute path");
        // VM sockets live at <state_dir>/vms/<id>/qmp.sock and must fit sun_path (108 bytes).
        else if (stateDir.Length + "/vms".Length > 107 - 74) e.Add($"state_dir '{stateDir}' is too long: unix sockets below it must fit 108 bytes (at most {107 - 74 - 4} characters)");

        var tunnelIp = file.TunnelIp ?? "";
        if (!IPAddress.TryParse(tunnelIp, out _)) e.Add($"tunnel_ip '{tunnelIp}' must be this host's underlay IP address (what peers' GRE ports dial)");

        var n = file.Network ?? new NetworkFile();
        var bridge = n.Bridge ?? "br-int";
        if (bridge.Length is < 1 or > 15 || !bridge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) e.Add($"network.bridge '{bridge}' must be 1-15 characters of [A-Za-z0-9._-]");
        var dpType = n.DatapathType ?? "system";
        if (dpType is not ("system" or "netdev")) e.Add($"network.datapath_type '{dpType}' must be 'system' (kernel datapath) or 'netdev' (userspace)");
        var ovsdb = n.Ovsdb ?? "unix:/run/openvswitch/db.sock";
        if (!(ovsdb.StartsWith("unix:", StringComparison.Ordinal) || ovsdb.StartsWith("tcp:", StringComparison.Ordinal))) e.Add($"network.ovsdb '{ovsdb}' must be unix:PATH or tcp:HOST:PORT");
        var runDir = n.OvsRunDir ?? "/run/openvswitch";
        if (!Path.IsPathRooted(runDir)) e.Add($"network.ovs_run_dir '{runDir}' must be an absolute path");
        ulong dpid = 0;
        if (Blank(n.DatapathId) is { } dpText)
        {
            var hex = dpText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? dpText[2..] : dpText;
            if (!ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out dpid) || dpid == 0 || dpid > 0xffff_ffff_ffff_ffff)
                e.Add($"network.datapath_id '{dpText}' must be a non-zero hex number, e.g. 0x0000000000000001");
        }
        else if (hostId is not null) dpid = DatapathIdFor(hostId);
        var lease = n.DhcpLeaseSeconds ?? 86400;
        if (lease is < 60 or > 31_536_000) e.Add($"network.dhcp_lease_seconds {lease} must be between 60 and 31536000 (a year)");
        var raEvery = n.RouterAdvertisementIntervalSeconds ?? 200;
        // RFC 4861 6.2.1: MaxRtrAdvInterval is 4..1800 s.
        if (raEvery is < 4 or > 1800) e.Add($"network.router_advertisement_interval_seconds {raEvery} must be between 4 and 1800");

        var c = file.Compute ?? new ComputeFile();
        var runner = c.Runner ?? "systemd";
        if (runner is not ("systemd" or "supervised")) e.Add($"compute.runner '{runner}' must be 'systemd' (VMs in transient units) or 'supervised' (hosts where systemd is not PID 1)");
        if (c.ForceTcg == true && c.AllowTcg != true) e.Add("compute.force_tcg needs compute.allow_tcg: true");
        var qemu = c.QemuBinary ?? "/usr/bin/qemu-system-x86_64";
        if (!Path.IsPathRooted(qemu)) e.Add($"compute.qemu_binary '{qemu}' must be an absolute path");
        var cgParent = c.CgroupParent ?? "infra";
        if (cgParent.Length is < 1 or > 64 || !cgParent.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')) e.Add($"compute.cgroup_parent '{cgParent}' must be 1-64 characters of [A-Za-z0-9._-]");
        if (c.MhzPerCore is < 0) e.Add($"compute.mhz_per_core {c.MhzPerCore} must be 0 (probe) or the nominal MHz of one core");
        var consoleLogKib = c.ConsoleLogKib ?? 1024;
        if (consoleLogKib is < 64 or > 65536) e.Add($"compute.console_log_kib {consoleLogKib} must be between 64 and 65536 (KiB per serial log file; a VM keeps two)");

        var qemuUser = c.QemuUser ?? "infra-qemu";
        // useradd's portable name rule; the account itself is looked up when the agent starts.
        if (qemuUser.Length > 0 && (qemuUser.Length > 32 || !(char.IsAsciiLetterLower(qemuUser[0]) || qemuUser[0] == '_')
                || !qemuUser.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch is '_' or '-')))
            e.Add($"compute.qemu_user '{qemuUser}' must be an account name ([a-z_][a-z0-9_-]*, at most 32 characters), or empty to keep qemu root on a development host");
        if (qemuUser == "root") e.Add("compute.qemu_user 'root' defeats the drop; name an unprivileged account (infra-qemu), or leave it empty on a development host");

        var pools = new List<StoragePoolConfig>();
        foreach (var (p, i) in (file.StoragePools ?? []).Select((p, i) => (p, i)))
        {
            if (string.IsNullOrWhiteSpace(p.Name)) e.Add($"storage_pools[{i}].name is required");
            if (p.Path is null || !Path.IsPathRooted(p.Path)) e.Add($"storage_pools[{i}].path '{p.Path}' must be an absolute path");
            pools.Add(new StoragePoolConfig(p.Name ?? "", p.Path ?? ""));
        }
        foreach (var dup in pools.GroupBy(p => p.Name).Where(g => g.Key.Length > 0 && g.Count() > 1)) e.Add($"storage pool '{dup.Key}' is listed {dup.Count()} times");

        var imageDir = file.ImageDir ?? "/var/lib/infra/images";
        if (!Path.IsPathRooted(imageDir)) e.Add($"image_dir '{imageDir}' must be an absolute path");

        var reconcile = file.ReconcileIntervalSeconds ?? 30;
        if (reconcile is < 1 or > 3600) e.Add($"reconcile_interval_seconds {reconcile} must be between 1 and 3600");
        var statusEvery = file.StatusIntervalSeconds ?? 2;
        if (statusEvery is < 0.1 or > 600) e.Add($"status_interval_seconds {statusEvery} must be between 0.1 and 600");
        var stall = file.ApplyStallSeconds ?? 600;
        if (stall is < 1 or > 86400) e.Add($"apply_stall_seconds {stall} must be between 1 and 86400 (longer than any one apply pass may take)");
        var level = file.LogLevel ?? "info";
        if (level is not ("trace" or "debug" or "info" or "warning" or "error")) e.Add($"log_level '{level}' must be one of trace, debug, info, warning, error");

        if (e.Count > 0) return (null, e);
        return (new AgentConfig
        {
            Controller = new ControllerConfig(url, tokenFile, caFile, joinTokenFile, certDir ?? Path.Combine(stateDir, "tls")) { Urls = urls },
            HostId = hostId!,
            StateDir = stateDir,
            TunnelIp = tunnelIp,
            Network = new NetworkConfig(n.Enabled ?? true, ovsdb, runDir, bridge, dpType, dpid, n.Dhcp ?? true, lease, raEvery),
            Compute = new ComputeConfig(runner, c.AllowTcg ?? false, c.ForceTcg ?? false, qemu, c.MhzPerCore ?? 0, c.NestCgroups ?? false, cgParent, consoleLogKib, qemuUser),
            StoragePools = pools,
            ImageDir = imageDir,
            ReconcileInterval = TimeSpan.FromSeconds(reconcile),
            StatusInterval = TimeSpan.FromSeconds(statusEvery),
            ApplyStallLimit = TimeSpan.FromSeconds(stall),
            LogLevel = level,
        }, []);
    }

    /// <summary>A stable datapath id from the host id: 48 bits of FNV-1a, never 0.</summary>
    public static ulong DatapathIdFor(string hostId)
    {
        var h = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(hostId)) { h ^= b; h *= 1099511628211UL; }
        return (h & 0xffff_ffff_ffffUL) | 1;
    }

    private static string? ReadMachineId(string path, List<string> errors)
    {
        try
        {
            var id = File.ReadAllText(path).Trim();
            if (id.Length > 0) return id;
            errors.Add($"host_id is not set and {path} is empty; set host_id in the config or run systemd-machine-id-setup");
        }
        catch (IOException x) { errors.Add($"host_id is not set and {path} cannot be read ({x.Message}); set host_id in the config"); }
        return null;
    }

    /// <summary>controller.url and/or controller.urls (replicas of one controller): at least one, all
    /// http:// or all https://, each with a port, none twice; http:// (h2c) only to loopback.</summary>
    private static List<string> ControllerUrls(ControllerFile? c, List<string> e)
    {
        var given = new List<(string Field, string Url)>();
        if (c?.Url is { } single) given.Add(("controller.url", single));
        foreach (var (u, i) in (c?.Urls ?? []).Select((u, i) => (u, i))) given.Add(($"controller.urls[{i}]", u ?? ""));
        if (given.Count == 0)
        {
            e.Add("controller.url '' must be an http:// (h2c) or https:// URL with a port, e.g. https://controller.example:7443 (or list replicas in controller.urls)");
            return [];
        }
        var urls = new List<string>();
        foreach (var (field, text) in given)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.Port <= 0 || u.AbsolutePath != "/")
                e.Add($"{field} '{text}' must be an http:// (h2c) or https:// URL with a port and no path, e.g. https://controller.example:7443");
            else if (u.Scheme == Uri.UriSchemeHttp && !u.IsLoopback)
                e.Add($"{field} '{text}' is plaintext (http://) to {u.Host}, which is not loopback: the token and the host's desired state would cross the network in the clear; use https:// (with controller.ca_file for a private CA), or http:// only to 127.0.0.1");
            else if (urls.Contains(u.GetLeftPart(UriPartial.Authority))) e.Add($"{field} '{text}' is listed twice");
            else urls.Add(u.GetLeftPart(UriPartial.Authority));
        }
        if (urls.Select(u => new Uri(u).Scheme).Distinct().Count() > 1)
            e.Add("controller.urls must be all http:// or all https:// (one channel carries every replica)");
        return urls;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
