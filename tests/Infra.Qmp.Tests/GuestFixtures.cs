using Infra.TestGuest;

namespace Infra.Qmp.Tests;

/// <summary>
/// One booted guest shared by every guest test in this project (a collection, so one boot): QMP
/// tests use its monitor, guest-agent tests its stand-in agent, and no-agent tests a second
/// virtio-serial port that nothing in the guest answers.
/// </summary>
public sealed class SharedGuestFixture : IAsyncLifetime
{
    public TestGuest.TestGuest Guest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Guest = await TestGuest.TestGuest.StartAsync(new TestGuestOptions
        {
            GuestAgentChannel = true, SilentChannel = true, KernelArgs = ["infra.qga=1"],
        });
        await Guest.WaitForBootAsync();
        await Guest.WaitForSerialAsync("GUEST-QGA port=/dev/vport", TimeSpan.FromSeconds(30));
        Console.WriteLine($"shared test guest booted in {Guest.BootTime?.TotalSeconds:0.00} s");
    }

    public async Task DisposeAsync() => await Guest.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedGuestCollection : ICollectionFixture<SharedGuestFixture>
{
    public const string Name = "shared test guest";
}
