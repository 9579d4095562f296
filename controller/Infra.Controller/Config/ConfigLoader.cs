using Infra.Controller.Core.Placement;

namespace Infra.Controller.Config;

/// <summary>Command-line flags; null means "not given, use the file".</summary>
public sealed record Flags(string? ConfigPath = null, string? Listen = null, string? Store = null, string? NodeId = null,
    string? ReadyFile = null, string? TokenFile = null, bool InsecureAllowNoAuth = false, string? AdvertiseUrl = null);

/// <summary>
/// Builds the effective config: defaults, then the YAML file, then flags. Every problem (unknown
/// flag, unreadable file, YAML error, invalid value) goes to one list so the daemon can print them
/// all and exit 2.
/// </summary>
public static class ConfigLoader
{
    public static (Flags Flags, List<string> Errors) ParseArgs(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var f = new Flags();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            if (eq > 0) value = arg[(eq + 1)..];
            string Value()
            {
                if (value is not null) return value;
                if (i + 1 < args.Count) return args[++i];
                errors.Add($"{name}: needs a value");
                return "";
            }
            switch (name)
            {
                case "--config": f = f with { ConfigPath = Value() }; break;
                case "--listen": f = f with { Listen = Value() }; break;
                case "--store": f = f with { Store = Value() }; break;
                case "--node-id": f = f with { NodeId = Value() }; break;
                case "--ready-file": f = f with { ReadyFile = Value() }; break;
                case "--token-file": f = f with { TokenFile = Value() }; break;
                case "--insecure-allow-no-auth": f = f with { InsecureAllowNoAuth = true }; break;
                case "--advertise-url": f = f with { AdvertiseUrl = Value() }; break;
                default: errors.Add($"{arg}: unknown option; see infra-controller --help"); break;
            }
        }
        return (f, errors);
    }

    public static (ControllerConfig? Config, List<string> Errors) Load(Flags flags)
    {
        var errors = new List<string>();
        var path = flags.ConfigPath ?? ControllerConfig.DefaultConfigPath;
        var file = new ConfigFile();
        if (File.Exists(path)) file = ConfigFile.Parse(File.ReadAllText(path), path, errors);
        else if (flags.ConfigPath is not null) errors.Add($"--config: {path} does not exist");

        var p = file.Placement;
        var defaults = new PlacementPolicy();
        var strategy = defaults.Strategy;
        if (p?.Strategy is { } s && !Enum.TryParse(s, ignoreCase: true, out strategy))
            errors.Add($"placement.strategy: '{s}' is not pack or spread");
        var config = new ControllerConfig(
            Listen: flags.Listen ?? file.Listen ?? ControllerConfig.DefaultListen,
            Store: flags.Store ?? file.Store ?? ControllerConfig.DefaultStore,
            NodeId: flags.NodeId ?? file.NodeId ?? Environment.MachineName,
            ReadyFile: flags.ReadyFile ?? file.ReadyFile,
            TokenFile: flags.TokenFile ?? file.TokenFile,
            Tokens: file.Tokens ?? [],
            InsecureAllowNoAuth: flags.InsecureAllowNoAuth || (file.InsecureAllowNoAuth ?? false),
            Tls: new TlsConfig(file.Tls?.CertFile, file.Tls?.KeyFile),
            ImageDirectory: file.ImageDirectory ?? "/var/lib/infra/images",
            Placement: new PlacementPolicy(p?.CpuOvercommit ?? defaults.CpuOvercommit, p?.MemoryOvercommit ?? defaults.MemoryOvercommit,
                p?.MemoryReserveMib ?? defaults.MemoryReserveMiB, strategy),
            WatchBookmarkInterval: TimeSpan.FromSeconds(file.WatchBookmarkSeconds ?? 30),
            AdvertiseUrl: flags.AdvertiseUrl ?? file.AdvertiseUrl,
            SnapshotTimeoutOverride: file.SnapshotTimeoutSeconds is { } sts ? TimeSpan.FromSeconds(sts) : null,
            AuditRetentionDays: file.AuditRetentionDays ?? ControllerConfig.DefaultAuditRetentionDays,
            Etcd: new EtcdClientConfig(file.Etcd?.CaFile, file.Etcd?.CertFile, file.Etcd?.KeyFile, file.Etcd?.Username, file.Etcd?.PasswordFile));
        errors.AddRange(config.Validate());
        return (errors.Count == 0 ? config : null, errors);
    }

    /// <summary>Tokens from the config plus the token file (one per line; blank lines and # comments skipped).</summary>
    public static IReadOnlySet<string> LoadTokens(ControllerConfig config)
    {
        var tokens = new HashSet<string>(config.Tokens, StringComparer.Ordinal);
        if (config.TokenFile is { } path)
            foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()))
                if (line.Length > 0 && !line.StartsWith('#')) tokens.Add(line);
        return tokens;
    }
}
