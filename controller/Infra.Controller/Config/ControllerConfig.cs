using System.Net;
using Infra.Controller.Core.Placement;

namespace Infra.Controller.Config;

/// <summary>TLS files; both set or neither.</summary>
public sealed record TlsConfig(string? CertFile, string? KeyFile);

/// <summary>The etcd section: CA, client certificate and user/password (the password read from a file).</summary>
public sealed record EtcdClientConfig(string? CaFile = null, string? CertFile = null, string? KeyFile = null, string? Username = null, string? PasswordFile = null)
{
    public bool IsEmpty => this == new EtcdClientConfig();
}

/// <summary>
/// The daemon's effective configuration: the YAML file with command-line flags applied over it.
/// Validated as a whole so a bad config reports every problem at once (exit code 2).
/// </summary>
public sealed record ControllerConfig(
    string Listen,
    string Store,
    string NodeId,
    string? ReadyFile,
    string? TokenFile,
    IReadOnlyList<string> Tokens,
    bool InsecureAllowNoAuth,
    TlsConfig Tls,
    string ImageDirectory,
    PlacementPolicy Placement,
    TimeSpan WatchBookmarkInterval,
    string? AdvertiseUrl = null,
    TimeSpan? SnapshotTimeoutOverride = null,
    int AuditRetentionDays = ControllerConfig.DefaultAuditRetentionDays,
    EtcdClientConfig? Etcd = null)
{
    public const int DefaultAuditRetentionDays = 90;
    public const int MaxAuditRetentionDays = 3650;

    /// <summary>How long audit records are kept (audit_retention_days).</summary>
    public TimeSpan AuditRetention => TimeSpan.FromDays(AuditRetentionDays);

    public const string DefaultConfigPath = "/etc/infra/controller.yaml";
    public const string DefaultListen = "127.0.0.1:7443";
    public const string DefaultStore = "sqlite:/var/lib/infra/state.db";

    /// <summary>How long snapshot and snapshot-delete commands may take on the agent (snapshot_timeout_seconds, default 120).</summary>
    public TimeSpan SnapshotTimeout => SnapshotTimeoutOverride ?? TimeSpan.FromMinutes(2);

    public IPEndPoint ListenEndPoint => IPEndPoint.Parse(Listen);
    public bool UsesTls => Tls.CertFile is not null;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IPEndPoint.TryParse(Listen, out var ep) || !Listen.Contains(':'))
            errors.Add($"listen: '{Listen}' is not address:port (for example {DefaultListen} or [::1]:7443)");
        if (StoreSpec.TryParse(Store, out _, out var storeError) is false) errors.Add($"store: {storeError}");
        if (NodeId.Length == 0) errors.Add("node_id: is empty; leave it unset to use the host name");
        if (Tls.CertFile is null != Tls.KeyFile is null) errors.Add("tls: give both cert_file and key_file, or neither");
        if (Tls.CertFile is { } c && !File.Exists(c)) errors.Add($"tls.cert_file: {c} does not exist");
        if (Tls.KeyFile is { } k && !File.Exists(k)) errors.Add($"tls.key_file: {k} does not exist");
        // Bearer tokens and agents' state cross this listener: in the clear only where nobody else can listen in.
        if (ep is not null && !UsesTls && !IPAddress.IsLoopback(ep.Address))
            errors.Add($"listen: {Listen} is not a loopback address and the listener has no TLS; set tls.cert_file and tls.key_file (PEM), or listen on 127.0.0.1 (or [::1])");
        if (TokenFile is { } tf && !File.Exists(tf)) errors.Add($"token_file: {tf} does not exist; create it with one token per line");
        if (InsecureAllowNoAuth && ep is not null && !IPAddress.IsLoopback(ep.Address))
            errors.Add($"insecure_allow_no_auth: only allowed when listening on loopback, not {Listen}; configure tokens instead");
        if (!InsecureAllowNoAuth && TokenFile is null && Tokens.Count == 0)
            errors.Add("auth: no tokens configured; set token_file (one token per line) or tokens, or pass --insecure-allow-no-auth for loopback development");
        foreach (var (t, i) in Tokens.Select((t, i) => (t, i)))
            if (t.Length < 16 || t.Any(char.IsWhiteSpace)) errors.Add($"tokens[{i}]: must be at least 16 characters without spaces");
        if (string.IsNullOrWhiteSpace(ImageDirectory)) errors.Add("image_directory: is empty; set a directory for uploaded images such as /var/lib/infra/images");
        errors.AddRange(Placement.Validate().Select(e => "placement: " + e));
        if (WatchBookmarkInterval <= TimeSpan.Zero) errors.Add("watch_bookmark_seconds: must be positive");
        if (SnapshotTimeout <= TimeSpan.Zero) errors.Add("snapshot_timeout_seconds: must be positive (default 120)");
        if (AuditRetentionDays is < 1 or > MaxAuditRetentionDays)
            errors.Add($"audit_retention_days: must be 1-{MaxAuditRetentionDays} (days audit records are kept; default {DefaultAuditRetentionDays}); got {AuditRetentionDays}");
        if (Advertise.Check(AdvertiseUrl, ep, UsesTls, Store) is { } advertiseError) errors.Add(advertiseError);
        errors.AddRange(EtcdConfig.Validate(Etcd ?? new EtcdClientConfig(), Store));
        return errors;
    }
}
