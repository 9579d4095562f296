using Infra.TestGuest;

namespace Infra.Qmp.Tests;

/// <summary>One booted guest with a guest-agent channel but no agent behind it, shared by a test class.</summary>
public sealed class GuestWithoutAgentFixture : IAsyncLifetime
{
    public TestGuest.TestGuest Guest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Guest = await TestGuest.TestGuest.StartAsync(new TestGuestOptions { GuestAgentChannel = true });
        await Guest.WaitForBootAsync();
        Console.WriteLine($"test guest (no agent) booted in {Guest.BootTime?.TotalSeconds:0.00} s");
    }

    public async Task DisposeAsync() => await Guest.DisposeAsync();
}

/// <summary>One booted guest running the busybox guest-agent stand-in on its virtio-serial port.</summary>
public sealed class GuestWithAgentFixture : IAsyncLifetime
{
    public TestGuest.TestGuest Guest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Guest = await TestGuest.TestGuest.StartAsync(new TestGuestOptions { GuestAgentChannel = true, KernelArgs = ["infra.qga=1"] });
        await Guest.WaitForBootAsync();
        await Guest.WaitForSerialAsync("GUEST-QGA port=/dev/vport", TimeSpan.FromSeconds(30));
        Console.WriteLine($"test guest (agent) booted after {Guest.BootTime?.TotalSeconds:0.00} s");
    }

    public async Task DisposeAsync() => await Guest.DisposeAsync();
}
