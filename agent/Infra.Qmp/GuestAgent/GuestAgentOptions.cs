namespace Infra.Qmp.GuestAgent;

/// <summary>Timeouts of guest agent calls. The sync timeout decides how long "no agent" takes to detect.</summary>
public sealed record GuestAgentOptions
{
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Freezing flushes every filesystem, so it gets longer than ordinary commands.</summary>
    public TimeSpan FreezeTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxFrameBytes { get; init; } = Codec.JsonLineFramer.DefaultMaxFrameBytes;
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The guest agent did not answer in time: it may not be installed, not running, or the guest hung.</summary>
public sealed class GuestAgentTimeoutException(string command, TimeSpan timeout)
    : QmpException($"guest agent did not answer '{command}' within {timeout.TotalSeconds:0.###} s; no guest agent running in the VM?");
