using Infra.Agent.Compute.Qemu;

namespace Infra.Agent.Compute.Accel;

/// <summary>How the agent picks an accelerator.</summary>
public sealed record AcceleratorOptions
{
    /// <summary>The qemu binary the probe runs.</summary>
    public string QemuBinary { get; init; } = "/usr/bin/qemu-system-x86_64";
    /// <summary>The KVM device.</summary>
    public string KvmDevice { get; init; } = "/dev/kvm";
    /// <summary>Fall back to TCG (software emulation, slow) when KVM is unusable. Off in production.</summary>
    public bool AllowTcg { get; init; }
    /// <summary>Skip KVM entirely and use TCG (needs <see cref="AllowTcg"/>): for CI hosts known to have a broken KVM.</summary>
    public bool ForceTcg { get; init; }
    /// <summary>How long a probe boot may take before the accelerator counts as hanging.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Where the probe ROM is written.</summary>
    public string WorkDirectory { get; init; } = Path.GetTempPath();

    /// <summary>Every problem with the options.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (ForceTcg && !AllowTcg) e.Add("ForceTcg needs AllowTcg=true");
        if (ProbeTimeout <= TimeSpan.Zero) e.Add("ProbeTimeout must be positive");
        return e;
    }
}

/// <summary>The probe's verdict: an accelerator to use, or why none can be.</summary>
/// <param name="Accelerator">The accelerator VMs start with; null when none is usable.</param>
/// <param name="KvmDetail">What the KVM probe found (for logs and the host inventory).</param>
/// <param name="Error">Why VMs cannot start, and what to set; null when <paramref name="Accelerator"/> is set.</param>
public sealed record AcceleratorChoice(Accelerator? Accelerator, string KvmDetail, string? Error);
