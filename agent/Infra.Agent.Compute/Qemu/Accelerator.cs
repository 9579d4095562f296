namespace Infra.Agent.Compute.Qemu;

/// <summary>How qemu executes guest code.</summary>
public enum Accelerator
{
    /// <summary>Hardware virtualisation through /dev/kvm.</summary>
    Kvm,
    /// <summary>qemu's software emulator: slow, for hosts (and CI) without a usable KVM.</summary>
    Tcg,
}
