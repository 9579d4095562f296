namespace Infra.Qmp;

/// <summary>Settings of a QMP connection. Defaults suit a local qemu or qemu-storage-daemon.</summary>
public sealed record QmpClientOptions
{
    /// <summary>Used by calls that pass no timeout of their own.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Greeting plus qmp_capabilities must finish within this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxFrameBytes { get; init; } = Codec.JsonLineFramer.DefaultMaxFrameBytes;
    /// <summary>Events buffered per subscriber; a slow subscriber loses the oldest, never blocks the read loop.</summary>
    public int EventBufferPerSubscriber { get; init; } = 1024;
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
