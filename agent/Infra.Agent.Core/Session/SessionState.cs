namespace Infra.Agent.Core.Session;

/// <summary>Where the session is, for logs, sd_notify STATUS and tests.</summary>
public enum SessionState
{
    /// <summary>Not connected; waiting for the next attempt.</summary>
    Disconnected,
    /// <summary>Dialing, Hello sent, waiting for Welcome.</summary>
    Connecting,
    /// <summary>Welcome received; desired state flows.</summary>
    Connected,
}
