namespace Infra.TestGuest;

/// <summary>How to boot one test guest.</summary>
public sealed record TestGuestOptions
{
    /// <summary>Extra kernel arguments, e.g. "infra.test=write-disk", "infra.pattern=X", "infra.qga=1".</summary>
    public IReadOnlyList<string> KernelArgs { get; init; } = [];
    /// <summary>vhost-user-blk sockets to attach as /dev/vda, /dev/vdb, ... (needs shared memfd memory).</summary>
    public IReadOnlyList<string> VhostUserBlkSockets { get; init; } = [];
    /// <summary>Add a virtio-serial port named org.qemu.guest_agent.0 backed by a host socket.</summary>
    public bool GuestAgentChannel { get; init; }
    /// <summary>
    /// Add a second virtio-serial port (org.infra.silent.0) backed by a host socket that nothing in the
    /// guest answers: a guest-agent channel without an agent, for timeout tests.
    /// </summary>
    public bool SilentChannel { get; init; }
    public int MemoryMiB { get; init; } = 256;
    /// <summary>Start paused (-S): nothing runs until "cont" over QMP.</summary>
    public bool StartPaused { get; init; }
}
