namespace Infra.Ovsdb.Connection;

/// <summary>Timeouts and limits of one connection. Validate() reports every problem at once.</summary>
public sealed record OvsdbConnectionOptions
{
    /// <summary>Default per-call timeout when the caller gives none.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>After this long without any inbound message we send an echo; 0 disables probing.</summary>
    public TimeSpan IdleProbeInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long the echo probe may take before the connection is declared dead.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int MaxFrameBytes { get; init; } = Codec.JsonRpcFramer.DefaultMaxFrame;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CallTimeout <= TimeSpan.Zero) errors.Add("CallTimeout must be positive.");
        if (IdleProbeInterval < TimeSpan.Zero) errors.Add("IdleProbeInterval must be zero (off) or positive.");
        if (ProbeTimeout <= TimeSpan.Zero) errors.Add("ProbeTimeout must be positive.");
        if (MaxFrameBytes < 4096) errors.Add("MaxFrameBytes must be at least 4096.");
        return errors;
    }
}
