namespace Infra.Agent.Core.Apply;

/// <summary>
/// Named points where a crash-safety test can catch the agent: with INFRA_AGENT_TEST_HOOK_DIR set,
/// reaching a point touches &lt;dir&gt;/&lt;point&gt;.reached; when INFRA_AGENT_TEST_PAUSE_AT names the
/// point, the agent then stops there (until killed). Unset in production, where this costs one
/// environment lookup at start.
/// </summary>
public static class TestHooks
{
    private static readonly string? Dir = Environment.GetEnvironmentVariable("INFRA_AGENT_TEST_HOOK_DIR");
    private static readonly string? PauseAt = Environment.GetEnvironmentVariable("INFRA_AGENT_TEST_PAUSE_AT");

    /// <summary>The desired state was persisted and is about to be applied.</summary>
    public const string BeforeApply = "before-apply";
    /// <summary>The desired state was applied and is about to be acked.</summary>
    public const string BeforeAck = "before-ack";
    /// <summary>The ack was sent.</summary>
    public const string AfterAck = "after-ack";

    /// <summary>
    /// Integration tests only: INFRA_AGENT_TEST_GUEST_KERNEL (and _INITRD, _APPEND) make every VM boot
    /// that kernel, since desired VMs carry no kernel and the tests' guest must run real code
    /// (a guest agent, disk writers). Null in production.
    /// </summary>
    public static Compute.Model.KernelBoot? GuestKernel { get; } = Environment.GetEnvironmentVariable("INFRA_AGENT_TEST_GUEST_KERNEL") is { Length: > 0 } k
        ? new Compute.Model.KernelBoot(k, Environment.GetEnvironmentVariable("INFRA_AGENT_TEST_GUEST_INITRD"), Environment.GetEnvironmentVariable("INFRA_AGENT_TEST_GUEST_APPEND"))
        : null;

    /// <summary>Marks <paramref name="point"/> as reached, and pauses there if asked to.</summary>
    public static async Task ReachAsync(string point, CancellationToken ct)
    {
        if (Dir is null) return;
        await File.WriteAllTextAsync(Path.Combine(Dir, point + ".reached"), DateTime.UtcNow.ToString("O"), ct);
        if (PauseAt == point) await Task.Delay(Timeout.Infinite, ct);
    }
}
