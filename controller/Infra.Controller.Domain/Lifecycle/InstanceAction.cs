namespace Infra.Controller.Domain.Lifecycle;

/// <summary>An operator action on an instance, as far as the lifecycle cares (sizes and ids are checked elsewhere).</summary>
public abstract record InstanceAction
{
    public sealed record Start : InstanceAction;
    public sealed record Stop(bool Force) : InstanceAction;
    public sealed record Reboot(bool Force) : InstanceAction;
    public sealed record Pause : InstanceAction;
    public sealed record Resume : InstanceAction;
    /// <summary>NeedsStop: vcpus or memory change (cpu_mhz alone is applied live).</summary>
    public sealed record Resize(bool NeedsStop) : InstanceAction;
    public sealed record Delete : InstanceAction;
    public sealed record AttachVolume : InstanceAction;
    public sealed record DetachVolume : InstanceAction;
}
