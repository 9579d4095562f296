namespace Infra.Agent.Compute.Console;

/// <summary>Limits of the console side of compute; each bounds memory or disk per VM.</summary>
public sealed record ConsoleOptions
{
    /// <summary>Cap of each of the two serial log files (see <see cref="SerialLog"/>).</summary>
    public long LogBytes { get; init; } = SerialLog.DefaultMaxBytes;
    /// <summary>Output a session may fall behind by before its oldest unread output is dropped.</summary>
    public int SessionBufferBytes { get; init; } = 128 << 10;
    /// <summary>Sessions one VM's console takes at once.</summary>
    public int MaxSessions { get; init; } = 16;
    /// <summary>Bytes one input may carry.</summary>
    public int MaxInputBytes { get; init; } = 64 << 10;
    /// <summary>How long a fresh qemu may take to open its console socket.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long input may wait for the guest to take it (a guest that does not read its serial port).</summary>
    public TimeSpan InputTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
