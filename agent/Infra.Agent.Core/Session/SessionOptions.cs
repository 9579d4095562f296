namespace Infra.Agent.Core.Session;

/// <summary>How the agent reaches its controller.</summary>
public sealed record SessionOptions
{
    /// <summary>http://host:port (h2c) or https://host:port (TLS, ALPN h2): the controller, or the first of its replicas.</summary>
    public required string ControllerUrl { get; init; }
    /// <summary>Every replica's URL when the controller has several (the agent balances and fails over
    /// across them, see <see cref="ControllerChannel"/>); empty: <see cref="ControllerUrl"/> alone.</summary>
    public IReadOnlyList<string> ControllerUrls { get; init; } = [];
    /// <summary>The URLs the session dials.</summary>
    public IReadOnlyList<string> Urls => ControllerUrls.Count > 0 ? ControllerUrls : [ControllerUrl];
    /// <summary>This host's stable id.</summary>
    public required string HostId { get; init; }
    /// <summary>The kernel boot id.</summary>
    public string BootId { get; init; } = "";
    /// <summary>Sent as "authorization: Bearer ..." when set.</summary>
    public string? Token { get; init; }
    /// <summary>PEM CA bundle that signs the controller's certificate (https only); null: the system store.</summary>
    public string? CaFile { get; init; }
    /// <summary>The host's client certificate (enrolled, renewed in place); null: none is presented.</summary>
    public HostCredential? Credential { get; init; }
    /// <summary>First reconnect delay.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Heartbeat interval when the controller's Welcome names none.</summary>
    public TimeSpan DefaultHeartbeat { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long the controller may take to answer Hello.</summary>
    public TimeSpan WelcomeTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often observed state is compared and changes reported.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(2);
}
